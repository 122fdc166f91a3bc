import type { corev1, Logger, Store, StoreEvent } from '@tugboat/core';
import type { Subscription } from 'rxjs';

import { AllocationKeys, type AllocationKind } from './AllocationKeys.js';
import { AllocationLedger } from './AllocationLedger.js';
import type { Ipv4Range } from './Ipv4Range.js';
import type { PortRange } from './PortRange.js';
import { parseService, serviceItems, type ServiceItems } from './serviceItems.js';

const servicesPrefix = '/core/services/';

/**
 * One API server's view of which Service holds which cluster IP and NodePort: the stored Services,
 * listed once and then followed through the store's watch, plus the reservations of writes in
 * flight. When a Service lets go of items (deleted, or updated without them) their allocation keys
 * are deleted before the items show as free here, so a client that waits for the release in this
 * view can take them at once. Events are applied one after another, in revision order.
 */
export class AllocationView {
  /** Holders of cluster IP offsets. */
  readonly ips: AllocationLedger;
  /** Holders of NodePorts. */
  readonly ports: AllocationLedger;
  private watch: Subscription | undefined;
  private retry: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly keys: AllocationKeys,
    private readonly logger: Logger,
    private readonly ipRange: Ipv4Range,
    private readonly portRange: PortRange,
    now: () => number,
    reservationTtlMs: number,
    /** Told about every item a stored Service (of that uid) uses, by allocation key. */
    private readonly onStored: (key: string, uid: string | undefined) => void,
  ) {
    this.ips = new AllocationLedger(now, reservationTtlMs);
    this.ports = new AllocationLedger(now, reservationTtlMs);
  }

  /** Lists the stored Services and follows the store from there; relists after a watch error. */
  sync(): Promise<void> {
    this.stopped = false;
    return this.enqueue(async () => {
      const page = await this.store.list(servicesPrefix);
      this.ips.clearStored();
      this.ports.clearStored();
      for (const kv of page.items) {
        const svc = parseService(kv.value);
        this.apply(kv.key.slice(servicesPrefix.length), serviceItems(svc, this.ipRange, this.portRange), svc);
      }
      this.logger.debug('service allocations loaded from the store', {
        services: page.items.length,
        revision: page.revision,
      });
      this.watch?.unsubscribe();
      this.watch = this.store.watch(servicesPrefix, page.revision).subscribe({
        next: (event) => {
          void this.enqueue(() => this.onEvent(event)).catch((err: unknown) => {
            this.logger.warn('service allocation release failed; repair will retry', { err: String(err) });
          });
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
    });
  }

  /** Stops following the store. */
  stop(): void {
    this.stopped = true;
    this.watch?.unsubscribe();
    this.watch = undefined;
    if (this.retry) clearTimeout(this.retry);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async onEvent(event: StoreEvent): Promise<void> {
    const owner = event.kv.key.slice(servicesPrefix.length);
    const svc = event.type === 'delete' ? undefined : parseService(event.kv.value);
    const before = parseService(event.type === 'delete' ? event.kv.value : event.prevKv?.value);
    const items = serviceItems(svc, this.ipRange, this.portRange);
    const uid = (before ?? svc)?.metadata?.uid;
    try {
      if (uid) {
        const ips = this.ips.storedBy(owner).filter((o) => !items.ips.includes(o));
        const ports = this.ports.storedBy(owner).filter((p) => !items.ports.includes(p));
        await Promise.all([
          ...ips.map((o) => this.keys.release('clusterips', this.ipRange.addressAt(o), uid)),
          ...ports.map((p) => this.keys.release('nodeports', String(p), uid)),
        ]);
      }
    } finally {
      this.apply(owner, items, svc);
    }
  }

  private apply(owner: string, items: ServiceItems, svc: corev1.Service | undefined): void {
    const ipConflicts = this.ips.setStored(owner, items.ips);
    const portConflicts = this.ports.setStored(owner, items.ports);
    const uid = svc?.metadata?.uid;
    const stored = (kind: AllocationKind, item: string): void => {
      this.onStored(AllocationKeys.keyOf(kind, item), uid);
    };
    for (const o of items.ips) stored('clusterips', this.ipRange.addressAt(o));
    for (const p of items.ports) stored('nodeports', String(p));
    if (ipConflicts.length > 0 || portConflicts.length > 0) {
      this.logger.warn('stored Services share allocations', {
        service: owner,
        ips: ipConflicts.map((o) => this.ipRange.addressAt(o)),
        nodePorts: portConflicts,
      });
    }
  }
}
