import { isIP } from 'node:net';

import { errors, type corev1, type Logger, type StatusCause, type Store } from '@tugboat/core';
import type { Subscription } from 'rxjs';

import { FieldPath } from '../strategies/validation/FieldPath.js';
import { fieldError } from '../strategies/validation/fieldError.js';
import { AllocationLedger } from './AllocationLedger.js';
import { Ipv4Range } from './Ipv4Range.js';
import { PortRange } from './PortRange.js';

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
  /** The clock reservations expire by (default `Date.now`). */
  readonly now?: () => number;
}

const servicesPrefix = '/core/services/';
const spec = FieldPath.of('spec');

function ownerOf(key: string): string {
  return key.slice(servicesPrefix.length);
}

/**
 * Hands out Service cluster IPs and NodePorts, as upstream's IP and port allocators. Its state is a
 * view of the store: at start it lists every stored Service ("repair after a restart") and then
 * follows the store's watch, so deletes, type changes and writes by other API servers sharing the
 * store release and take items without a separate bitmap object. Allocation itself is synchronous
 * in this process, so concurrent creates here never get the same item; an item handed out is
 * reserved until its Service shows up in the store (or the reservation expires because the write
 * failed). Two API servers on one store can race within the watch latency; upstream closes that gap
 * with a compare-and-swapped bitmap object, which this design leaves out.
 */
export class ServiceAllocator {
  /** The cluster IP range. */
  readonly ipRange: Ipv4Range;
  /** The NodePort range. */
  readonly portRange: PortRange;
  private readonly ips: AllocationLedger;
  private readonly ports: AllocationLedger;
  private ipCursor = 1;
  private portCursor = 0;
  private started: Promise<void> | undefined;
  private watch: Subscription | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    options: ServiceAllocatorOptions = {},
  ) {
    this.ipRange = Ipv4Range.parse(options.serviceClusterIpRange ?? '127.10.0.0/16');
    this.portRange = PortRange.parse(options.serviceNodePortRange ?? '30000-32767');
    const now = options.now ?? Date.now;
    const ttl = options.reservationTtlMs ?? 60_000;
    this.ips = new AllocationLedger(now, ttl);
    this.ports = new AllocationLedger(now, ttl);
  }

  /** The address the `default/kubernetes` Service gets: the first of the range, never handed out otherwise. */
  get kubernetesServiceIp(): string {
    return this.ipRange.addressAt(0);
  }

  /** Loads the stored Services and follows the store; runs once, retried after a failure. */
  start(): Promise<void> {
    this.stopped = false;
    this.started ??= this.sync().catch((err: unknown) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  /** Stops following the store. */
  stop(): void {
    this.stopped = true;
    this.watch?.unsubscribe();
    this.watch = undefined;
    if (this.retry) clearTimeout(this.retry);
    this.started = undefined;
  }

  /** The `namespace/name` of the Service holding or reserving `ip`, if any. */
  ipHolder(ip: string): string | undefined {
    const offset = this.ipRange.offsetOf(ip);
    return offset === undefined ? undefined : this.ips.holder(offset);
  }

  /** The `namespace/name` of the Service holding or reserving NodePort `port`, if any. */
  portHolder(port: number): string | undefined {
    return this.ports.holder(port);
  }

  /**
   * Fills in and reserves a Service's cluster IP and NodePorts (create, or update against `old`).
   * Requested values are honoured when free and in range; otherwise throws `Invalid` (422) naming
   * the field, reserving nothing. A dry run fills values in without reserving them.
   */
  allocate(svc: corev1.Service, old: corev1.Service | undefined, dryRun: boolean): void {
    const owner = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
    const s = (svc.spec ??= {});
    const causes: StatusCause[] = [];
    const ipItems: number[] = [];
    const portItems: number[] = [];
    let dynamicIp: number | undefined;
    const dynamicPorts: number[] = [];
    if (s.type !== 'ExternalName' && s.clusterIP !== 'None') {
      const requested = s.clusterIPs?.[0] || s.clusterIP || '';
      const field = spec.child('clusterIPs').index(0);
      if (requested && requested === old?.spec?.clusterIP) {
        const offset = this.ipRange.offsetOf(requested);
        if (offset !== undefined) ipItems.push(offset);
      } else if (requested) {
        const offset = this.ipRange.offsetOf(requested);
        if (isIP(requested) === 0) {
          // Text that is no IP at all is left to validation, which names the format.
        } else if (offset === undefined) {
          causes.push(
            fieldError.invalid(
              field,
              requested,
              `provided IP is not in the valid range. The range of valid IPs is ${this.ipRange.cidr}`,
            ),
          );
        } else if (!this.ips.isFreeFor(offset, owner)) {
          causes.push(fieldError.invalid(field, requested, 'provided IP is already allocated'));
        } else ipItems.push(offset);
      } else {
        const offset = this.nextFreeIp();
        if (offset === undefined) {
          causes.push(fieldError.invalid(field, '', 'failed to allocate a serviceIP: range is full'));
        } else {
          const ip = this.ipRange.addressAt(offset);
          ipItems.push(offset);
          dynamicIp = offset;
          s.clusterIP = ip;
          s.clusterIPs = [ip];
          s.ipFamilies = ['IPv4'];
        }
      }
    }
    if (s.type === 'NodePort' || s.type === 'LoadBalancer') {
      const wantAll = s.type === 'NodePort' || s.allocateLoadBalancerNodePorts !== false;
      const previous = new Set(
        (old?.spec?.ports ?? []).map((p) => p.nodePort).filter((p) => p !== undefined),
      );
      for (const [i, port] of (s.ports ?? []).entries()) {
        const field = spec.child('ports').index(i).child('nodePort');
        if (port.nodePort) {
          if (previous.has(port.nodePort) || portItems.includes(port.nodePort)) {
            portItems.push(port.nodePort);
          } else if (!this.portRange.contains(port.nodePort)) {
            causes.push(
              fieldError.invalid(
                field,
                port.nodePort,
                `provided port is not in the valid range. The range of valid ports is ${this.portRange.toString()}`,
              ),
            );
          } else if (!this.ports.isFreeFor(port.nodePort, owner)) {
            causes.push(fieldError.invalid(field, port.nodePort, 'provided port is already allocated'));
          } else portItems.push(port.nodePort);
        } else if (wantAll) {
          const next = this.nextFreePort(portItems);
          if (next === undefined) {
            causes.push(fieldError.invalid(field, 0, 'failed to allocate a nodePort: range is full'));
          } else {
            portItems.push(next);
            dynamicPorts.push(next);
            port.nodePort = next;
          }
        }
      }
    }
    if (causes.length > 0) throw errors.invalid('Service', svc.metadata?.name ?? '', causes);
    if (dryRun) return;
    for (const item of ipItems) this.ips.reserve(item, owner);
    for (const item of portItems) this.ports.reserve(item, owner);
    // The cursors move only when something was handed out, so a rejected write leaves no gap.
    if (dynamicIp !== undefined) this.ipCursor = dynamicIp + 1 >= this.ipRange.size ? 1 : dynamicIp + 1;
    const lastPort = dynamicPorts.at(-1);
    if (lastPort !== undefined) this.portCursor = (lastPort - this.portRange.base + 1) % this.portRange.size;
  }

  private nextFreeIp(): number | undefined {
    const size = this.ipRange.size;
    // Offset 0 is the kubernetes Service's; dynamic allocation starts after it.
    for (let n = 0; n < size - 1; n++) {
      const offset = 1 + ((this.ipCursor - 1 + n) % (size - 1));
      if (this.ips.holder(offset) === undefined) return offset;
    }
    return undefined;
  }

  private nextFreePort(taken: readonly number[]): number | undefined {
    const { base, size } = this.portRange;
    for (let n = 0; n < size; n++) {
      const port = base + ((this.portCursor + n) % size);
      if (!taken.includes(port) && this.ports.holder(port) === undefined) return port;
    }
    return undefined;
  }

  private async sync(): Promise<void> {
    const page = await this.store.list(servicesPrefix);
    this.ips.clearStored();
    this.ports.clearStored();
    for (const kv of page.items) this.record(kv.key, kv.value);
    this.logger.debug('service allocations repaired from the store', {
      services: page.items.length,
      revision: page.revision,
    });
    this.watch?.unsubscribe();
    this.watch = this.store.watch(servicesPrefix, page.revision).subscribe({
      next: (event) => {
        this.record(event.kv.key, event.type === 'delete' ? undefined : event.kv.value);
      },
      error: (err: unknown) => {
        if (this.stopped) return;
        this.logger.warn('service allocation watch ended; relisting', { err: String(err) });
        this.retry = setTimeout(() => {
          if (!this.stopped) void this.sync().catch(() => undefined);
        }, 200);
        this.retry.unref();
      },
    });
  }

  private record(key: string, value: string | undefined): void {
    const owner = ownerOf(key);
    let svc: corev1.Service | undefined;
    try {
      svc = value === undefined ? undefined : (JSON.parse(value) as corev1.Service);
    } catch {
      svc = undefined;
    }
    const ips = (svc?.spec?.clusterIPs ?? (svc?.spec?.clusterIP ? [svc.spec.clusterIP] : []))
      .map((ip) => this.ipRange.offsetOf(ip))
      .filter((o): o is number => o !== undefined);
    const ports = (svc?.spec?.ports ?? [])
      .map((p) => p.nodePort)
      .filter((p): p is number => p !== undefined && this.portRange.contains(p));
    const ipConflicts = this.ips.setStored(owner, ips);
    const portConflicts = this.ports.setStored(owner, [...new Set(ports)]);
    if (ipConflicts.length > 0 || portConflicts.length > 0) {
      this.logger.warn('stored Services share allocations', {
        service: owner,
        ips: ipConflicts.map((o) => this.ipRange.addressAt(o)),
        nodePorts: portConflicts,
      });
    }
  }
}
