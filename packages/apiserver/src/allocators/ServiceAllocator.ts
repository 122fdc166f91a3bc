import { errors, type corev1, type Logger, type StatusCause, type Store } from '@tugboat/core';

import { AllocationKeys, type AllocationKind, type AllocationOwner } from './AllocationKeys.js';
import type { AllocationLedger } from './AllocationLedger.js';
import { AllocationRepair, type RepairReport } from './AllocationRepair.js';
import { Ipv4Range } from './Ipv4Range.js';
import { PortRange } from './PortRange.js';
import { AllocationView } from './AllocationView.js';
import { parseService } from './serviceItems.js';
import { alreadyAllocated, planAllocation, rangeFull, setClusterIp, type Pick } from './planAllocation.js';

/** Options of the {@link ServiceAllocator}. */
export interface ServiceAllocatorOptions {
  /**
   * The IPv4 CIDR cluster IPs come from (default `127.10.0.0/16`: inside 127.0.0.0/8, so every
   * address is local on Linux and a user-space proxy can listen on it without privileges).
   */
  readonly serviceClusterIpRange?: string;
  /** The NodePort range, `FROM-TO` inclusive (default `30000-32767`). */
  readonly serviceNodePortRange?: string;
  /** How long an allocation made for a write that never reached the store stays reserved (default 60 s). */
  readonly reservationTtlMs?: number;
  /** How often the allocation keys are repaired against the stored Services (default 60 s; 0: only at start). */
  readonly repairIntervalMs?: number;
  /** How long a key no stored Service uses survives before repair deletes it (default: `reservationTtlMs`). */
  readonly repairGraceMs?: number;
  /** The clock reservations expire by (default `Date.now`). */
  readonly now?: () => number;
}

const servicesPrefix = '/core/services/';

/**
 * Hands out Service cluster IPs and NodePorts, as upstream's allocators with `IPAddress` objects
 * (KEP-1880). An in-memory view of the stored Services (listed at start, then followed through the
 * store's watch) picks a candidate fast; the candidate is then claimed by creating its key in the
 * store ({@link AllocationKeys}), and a key another API server created first sends a dynamic pick
 * on to the next candidate and a requested one to a 422. So API servers sharing one store never
 * hand an item out twice. Items a write took are reserved until its Service shows up in the store;
 * the keys of a write that failed are deleted once the reservation expires, and a periodic
 * {@link AllocationRepair} cleans up after API servers that died mid-write.
 */
export class ServiceAllocator {
  /** The cluster IP range. */
  readonly ipRange: Ipv4Range;
  /** The NodePort range. */
  readonly portRange: PortRange;
  private readonly view: AllocationView;
  private readonly keys: AllocationKeys;
  private readonly repairer: AllocationRepair;
  private readonly claims = new Map<string, { readonly uid: string; readonly expires: number }>();
  private readonly now: () => number;
  private readonly ttl: number;
  private readonly repairIntervalMs: number;
  private ipCursor = 1;
  private portCursor = 0;
  private started: Promise<void> | undefined;
  private repairTimer: NodeJS.Timeout | undefined;
  private repairs: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    options: ServiceAllocatorOptions = {},
  ) {
    this.ipRange = Ipv4Range.parse(options.serviceClusterIpRange ?? '127.10.0.0/16');
    this.portRange = PortRange.parse(options.serviceNodePortRange ?? '30000-32767');
    this.now = options.now ?? Date.now;
    this.ttl = options.reservationTtlMs ?? 60_000;
    this.repairIntervalMs = options.repairIntervalMs ?? 60_000;
    this.keys = new AllocationKeys(store);
    this.view = new AllocationView(
      store,
      this.keys,
      logger,
      this.ipRange,
      this.portRange,
      this.now,
      this.ttl,
      (key, uid) => {
        if (this.claims.get(key)?.uid === uid) this.claims.delete(key);
      },
    );
    this.repairer = new AllocationRepair(
      store,
      this.keys,
      logger,
      this.ipRange,
      this.portRange,
      options.repairGraceMs ?? this.ttl,
      this.now,
    );
  }

  /** The address the `default/kubernetes` Service gets: the first of the range, never handed out otherwise. */
  get kubernetesServiceIp(): string {
    return this.ipRange.addressAt(0);
  }

  /** Loads the stored Services, follows the store and starts repairing; runs once, retried after a failure. */
  start(): Promise<void> {
    this.stopped = false;
    this.started ??= this.view.sync().then(
      () => {
        this.scheduleRepairs();
      },
      (err: unknown) => {
        this.started = undefined;
        throw err;
      },
    );
    return this.started;
  }

  /** Stops following the store and repairing. */
  stop(): void {
    this.stopped = true;
    this.view.stop();
    if (this.repairTimer) clearInterval(this.repairTimer);
    this.repairTimer = undefined;
    this.started = undefined;
  }

  /** The `namespace/name` of the Service holding or reserving `ip`, if any (in this server's view). */
  ipHolder(ip: string): string | undefined {
    const offset = this.ipRange.offsetOf(ip);
    return offset === undefined ? undefined : this.view.ips.holder(offset);
  }

  /** The `namespace/name` of the Service holding or reserving NodePort `port`, if any. */
  portHolder(port: number): string | undefined {
    return this.view.ports.holder(port);
  }

  /** Runs one repair of the allocation keys now (they also run at start and every `repairIntervalMs`). */
  repair(): Promise<RepairReport> {
    const run = this.repairs.then(async () => {
      const report = await this.repairer.run((key, uid) => {
        const claim = this.claims.get(key);
        return claim?.uid === uid && claim.expires <= this.now();
      });
      for (const [key, claim] of this.claims) if (claim.expires <= this.now()) this.claims.delete(key);
      return report;
    });
    this.repairs = run.catch(() => undefined);
    return run;
  }

  /**
   * Fills in and takes a Service's cluster IP and NodePorts (create, or update against `old`).
   * Requested values are honoured when free and in range; otherwise throws `Invalid` (422) naming
   * the field, taking nothing. A dry run fills values in without taking them.
   */
  async allocate(svc: corev1.Service, old: corev1.Service | undefined, dryRun: boolean): Promise<void> {
    const owner = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
    const { causes, kept, picks } = planAllocation(svc, old, owner, {
      ipRange: this.ipRange,
      portRange: this.portRange,
      ips: this.view.ips,
      ports: this.view.ports,
      nextFreeIp: () => this.nextFreeIp(),
      nextFreePort: (taken) => this.nextFreePort(taken),
    });
    const s = svc.spec ?? {};
    if (causes.length > 0) throw errors.invalid('Service', svc.metadata?.name ?? '', causes);
    if (dryRun) return;
    for (const p of [...kept, ...picks]) this.ledger(p.kind).reserve(p.item, owner);
    const who: AllocationOwner = {
      namespace: svc.metadata?.namespace ?? '',
      name: svc.metadata?.name ?? '',
      uid: svc.metadata?.uid ?? '',
    };
    const failures = (await Promise.all(picks.map((p) => this.claim(p, who, owner)))).filter(
      (c): c is StatusCause => c !== undefined,
    );
    if (failures.length > 0) {
      await Promise.all(
        picks.map(async (p) => {
          this.ledger(p.kind).unreserve(p.item, owner);
          await this.keys.release(p.kind, this.label(p.kind, p.item), who.uid);
        }),
      );
      throw errors.invalid('Service', who.name, failures);
    }
    const expires = this.now() + this.ttl;
    for (const p of picks) {
      this.claims.set(AllocationKeys.keyOf(p.kind, this.label(p.kind, p.item)), { uid: who.uid, expires });
      if (!p.dynamic) continue;
      if (p.kind === 'clusterips') {
        setClusterIp(s, this.ipRange.addressAt(p.item));
        // The cursors move only when something was handed out, so a rejected write leaves no gap.
        this.ipCursor = p.item + 1 >= this.ipRange.size ? 1 : p.item + 1;
      } else {
        if (p.port) p.port.nodePort = p.item;
        this.portCursor = (p.item - this.portRange.base + 1) % this.portRange.size;
      }
    }
  }

  /** Creates a pick's key; a dynamic pick someone else holds moves on to the next free item. */
  private async claim(p: Pick, who: AllocationOwner, owner: string): Promise<StatusCause | undefined> {
    const ledger = this.ledger(p.kind);
    const size = p.kind === 'clusterips' ? this.ipRange.size : this.portRange.size;
    for (let tries = 0; tries < size; tries++) {
      const result = await this.keys.claim(p.kind, this.label(p.kind, p.item), who, (ns, name) =>
        this.storedUid(ns, name),
      );
      if (result.ok) return undefined;
      ledger.unreserve(p.item, owner);
      // Until the watch brings the holder's Service, the fast path should not offer this item again.
      ledger.reserve(p.item, `${result.holder.namespace}/${result.holder.name}`);
      if (!p.dynamic) return alreadyAllocated(p.kind, p.field, this.label(p.kind, p.item));
      const next = p.kind === 'clusterips' ? this.nextFreeIp() : this.nextFreePort([]);
      if (next === undefined) break;
      p.item = next;
      ledger.reserve(next, owner);
    }
    return rangeFull(p.kind, p.field);
  }

  private async storedUid(namespace: string, name: string): Promise<string | undefined> {
    const kv = await this.store.get(`${servicesPrefix}${namespace}/${name}`);
    return parseService(kv?.value)?.metadata?.uid;
  }

  private ledger(kind: AllocationKind): AllocationLedger {
    return kind === 'clusterips' ? this.view.ips : this.view.ports;
  }

  private label(kind: AllocationKind, item: number): string {
    return kind === 'clusterips' ? this.ipRange.addressAt(item) : String(item);
  }

  private nextFreeIp(): number | undefined {
    const size = this.ipRange.size;
    // Offset 0 is the kubernetes Service's; dynamic allocation starts after it.
    for (let n = 0; n < size - 1; n++) {
      const offset = 1 + ((this.ipCursor - 1 + n) % (size - 1));
      if (this.view.ips.holder(offset) === undefined) return offset;
    }
    return undefined;
  }

  private nextFreePort(taken: readonly number[]): number | undefined {
    const { base, size } = this.portRange;
    for (let n = 0; n < size; n++) {
      const port = base + ((this.portCursor + n) % size);
      if (!taken.includes(port) && this.view.ports.holder(port) === undefined) return port;
    }
    return undefined;
  }

  private scheduleRepairs(): void {
    const repair = (): void => {
      void this.repair().catch((err: unknown) => {
        if (!this.stopped) this.logger.warn('service allocation repair failed', { err: String(err) });
      });
    };
    repair();
    if (this.repairIntervalMs > 0 && this.repairTimer === undefined) {
      this.repairTimer = setInterval(repair, this.repairIntervalMs);
      this.repairTimer.unref();
    }
  }
}
