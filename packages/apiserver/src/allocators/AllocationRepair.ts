import { ApiError, type Logger, type Store } from '@tugboat/core';

import {
  AllocationKeys,
  allocationPrefix,
  type AllocationKind,
  type AllocationRecord,
} from './AllocationKeys.js';
import type { Ipv4Range } from './Ipv4Range.js';
import type { PortRange } from './PortRange.js';
import { parseService, serviceItems } from './serviceItems.js';

/** What one {@link AllocationRepair.run} changed and found. */
export interface RepairReport {
  /** Keys written for stored Services that had none. */
  readonly created: number;
  /** Keys deleted because no stored Service uses them (after the grace period). */
  readonly deleted: number;
  /** Items two stored Services use at once, as `clusterips/<ip>` or `nodeports/<port>`. */
  readonly conflicts: readonly string[];
}

interface Use {
  readonly uid: string;
  readonly owner: string;
}

const servicesPrefix = '/core/services/';

/**
 * Reconciles the allocation keys with the stored Services, as upstream's repair controllers for
 * cluster IPs and NodePorts: a key no stored Service uses is deleted once it has stayed unused,
 * at the same revision, for the grace period (a create may still be on its way to the store on
 * another API server); a key for a write that failed in this process goes as soon as its
 * reservation expired; a Service item without a key gets one; an item two Services use is logged
 * as the double allocation it is. Orphans are remembered between runs, so the grace period needs
 * no shared clock.
 */
export class AllocationRepair {
  private readonly orphans = new Map<string, { readonly modRevision: number; readonly since: number }>();

  constructor(
    private readonly store: Store,
    private readonly keys: AllocationKeys,
    private readonly logger: Logger,
    private readonly ipRange: Ipv4Range,
    private readonly portRange: PortRange,
    private readonly graceMs: number,
    private readonly now: () => number,
  ) {}

  /** One repair pass; `abandoned(key, uid)` says a key is this process's claim for a failed write. */
  async run(abandoned: (key: string, uid: string) => boolean): Promise<RepairReport> {
    // Keys first: a Service stored after this read has its key already, which the create below accepts.
    const records = await this.keys.list();
    const uses = await this.storedUses();
    let created = 0;
    let deleted = 0;
    const conflicts: string[] = [];
    const byKey = new Map(records.map((r) => [AllocationKeys.keyOf(r.kind, r.item), r]));
    const orphanNow = new Set<string>();
    for (const [key, record] of byKey) {
      const use = uses.get(key)?.find((u) => u.owner === `${record.owner.namespace}/${record.owner.name}`);
      if (use !== undefined) {
        if (use.uid !== record.owner.uid) {
          await this.keys.reassign(record, { ...record.owner, uid: use.uid });
        }
        continue;
      }
      orphanNow.add(key);
      if (await this.expire(key, record, abandoned(key, record.owner.uid))) deleted++;
    }
    for (const key of this.orphans.keys()) if (!orphanNow.has(key)) this.orphans.delete(key);
    for (const [key, list] of uses) {
      const record = byKey.get(key);
      if (list.length > 1) conflicts.push(key.slice(allocationPrefix.length));
      const first = list[0];
      if (record !== undefined || first === undefined) continue;
      const [namespace = '', name = ''] = first.owner.split('/');
      try {
        await this.store.create(key, JSON.stringify({ namespace, name, uid: first.uid }));
        created++;
      } catch (err) {
        // Taken since the list: by the Service itself or a new one; the next pass looks again.
        if (!ApiError.is(err, 'AlreadyExists')) throw err;
      }
    }
    if (conflicts.length > 0) {
      this.logger.warn('stored Services share allocations', { items: conflicts });
    }
    if (created > 0 || deleted > 0) {
      this.logger.info('service allocation keys repaired', { created, deleted });
    }
    return { created, deleted, conflicts };
  }

  private async expire(key: string, record: AllocationRecord, abandoned: boolean): Promise<boolean> {
    const seen = this.orphans.get(key);
    const now = this.now();
    const since = seen?.modRevision === record.modRevision ? seen.since : now;
    if (abandoned || now - since >= this.graceMs) {
      this.orphans.delete(key);
      return this.keys.deleteAt(key, record.modRevision);
    }
    this.orphans.set(key, { modRevision: record.modRevision, since });
    return false;
  }

  /** Every item stored Services use, by its allocation key. */
  private async storedUses(): Promise<Map<string, Use[]>> {
    const uses = new Map<string, Use[]>();
    const add = (kind: AllocationKind, item: string, use: Use): void => {
      const key = AllocationKeys.keyOf(kind, item);
      const list = uses.get(key);
      if (list) list.push(use);
      else uses.set(key, [use]);
    };
    let cont: string | undefined;
    do {
      const page = await this.store.list(servicesPrefix, {
        limit: 1000,
        ...(cont !== undefined ? { continue: cont } : {}),
      });
      for (const kv of page.items) {
        const svc = parseService(kv.value);
        const use = { uid: svc?.metadata?.uid ?? '', owner: kv.key.slice(servicesPrefix.length) };
        const items = serviceItems(svc, this.ipRange, this.portRange);
        for (const ip of items.ips) add('clusterips', this.ipRange.addressAt(ip), use);
        for (const port of items.ports) add('nodeports', String(port), use);
      }
      cont = page.continue;
    } while (cont !== undefined);
    return uses;
  }
}
