import type { Clock } from '@tugboat/core';

/** One ready endpoint of a service port. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** `address:port` of an endpoint. */
export const endpointKey = (e: Endpoint): string => `${e.address}:${e.port}`;

/**
 * Chooses the endpoint for a new connection: round-robin over the ready endpoints, or, with
 * ClientIP session affinity, the endpoint a client last used while that stays ready and within the
 * timeout (refreshed on each use, as upstream).
 */
export class EndpointPicker {
  private endpoints: readonly Endpoint[] = [];
  private next = 0;
  private affinityMs: number | undefined;
  private readonly affinity = new Map<string, { readonly key: string; expires: number }>();

  constructor(private readonly clock: Clock) {}

  /** Replaces the ready endpoints and the affinity timeout (undefined: no affinity). */
  update(endpoints: readonly Endpoint[], affinityMs: number | undefined): void {
    this.endpoints = endpoints;
    if (this.next >= endpoints.length) this.next = 0;
    if (affinityMs !== this.affinityMs) this.affinity.clear();
    this.affinityMs = affinityMs;
  }

  /** How many endpoints are ready. */
  get size(): number {
    return this.endpoints.length;
  }

  /** The endpoint for a client, skipping `exclude` (endpoints that refused this connection). */
  pick(clientIp: string | undefined, exclude: ReadonlySet<string> = new Set()): Endpoint | undefined {
    const now = this.clock.now();
    if (this.affinityMs !== undefined && clientIp !== undefined) {
      const sticky = this.affinity.get(clientIp);
      if (sticky !== undefined && sticky.expires > now && !exclude.has(sticky.key)) {
        const ep = this.endpoints.find((e) => endpointKey(e) === sticky.key);
        if (ep !== undefined) {
          sticky.expires = now + this.affinityMs;
          return ep;
        }
      }
    }
    const n = this.endpoints.length;
    for (let i = 0; i < n; i++) {
      const index = (this.next + i) % n;
      const ep = this.endpoints[index];
      if (ep === undefined || exclude.has(endpointKey(ep))) continue;
      this.next = (index + 1) % n;
      if (this.affinityMs !== undefined && clientIp !== undefined) {
        if (this.affinity.size > 10_000) this.prune(now);
        this.affinity.set(clientIp, { key: endpointKey(ep), expires: now + this.affinityMs });
      }
      return ep;
    }
    return undefined;
  }

  private prune(now: number): void {
    for (const [ip, a] of this.affinity) if (a.expires <= now) this.affinity.delete(ip);
  }
}
