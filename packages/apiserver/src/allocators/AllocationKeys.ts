import { ApiError, type KeyValue, type Store } from '@tugboat/core';

/** The kind of item an allocation key names. */
export type AllocationKind = 'clusterips' | 'nodeports';

/** The Service an allocation key belongs to. */
export interface AllocationOwner {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** One allocation key as read from the store. */
export interface AllocationRecord {
  readonly kind: AllocationKind;
  /** The IP or the port, as text. */
  readonly item: string;
  readonly owner: AllocationOwner;
  readonly modRevision: number;
}

/** What {@link AllocationKeys.claim} found: the item is now the owner's, or someone else holds it. */
export type ClaimResult = { readonly ok: true } | { readonly ok: false; readonly holder: AllocationOwner };

/** The store prefix under which every allocation key lives. */
export const allocationPrefix = '/internal/serviceallocations/';

function parseOwner(value: string): AllocationOwner | undefined {
  try {
    const v = JSON.parse(value) as Partial<AllocationOwner>;
    if (typeof v.namespace !== 'string' || typeof v.name !== 'string' || typeof v.uid !== 'string') {
      return undefined;
    }
    return { namespace: v.namespace, name: v.name, uid: v.uid };
  } catch {
    return undefined;
  }
}

function encodeOwner(o: AllocationOwner): string {
  return JSON.stringify({ namespace: o.namespace, name: o.name, uid: o.uid });
}

/**
 * The store keys that make Service allocations safe across API servers sharing a store, after
 * upstream's `IPAddress` objects (KEP-1880): each allocated cluster IP or NodePort is a key of its
 * own (`/internal/serviceallocations/clusterips/<ip>`, `…/nodeports/<port>`) holding the owning
 * Service's namespace, name and uid. The store's create-if-absent is what decides a race; releases
 * delete with the key's revision as precondition, so an item someone else re-took is never freed.
 */
export class AllocationKeys {
  constructor(private readonly store: Store) {}

  /** The store key of one item. */
  static keyOf(kind: AllocationKind, item: string | number): string {
    return `${allocationPrefix}${kind}/${String(item)}`;
  }

  /**
   * Takes `item` for `owner`: creates its key, or accepts an existing key that already names the
   * owner's uid (a retried write) or the stored Service of the owner's name. A key left by an
   * earlier Service of the same name that is no longer stored is taken over, so deleting and
   * recreating a Service with the same values works without waiting for the release.
   */
  async claim(
    kind: AllocationKind,
    item: string | number,
    owner: AllocationOwner,
    storedUid: (namespace: string, name: string) => Promise<string | undefined>,
  ): Promise<ClaimResult> {
    const key = AllocationKeys.keyOf(kind, item);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.store.create(key, encodeOwner(owner));
        return { ok: true };
      } catch (err) {
        if (!ApiError.is(err, 'AlreadyExists')) throw err;
      }
      const kv = await this.store.get(key);
      if (kv === undefined) continue;
      const holder = parseOwner(kv.value);
      if (holder?.uid === owner.uid) return { ok: true };
      if (holder !== undefined && (holder.namespace !== owner.namespace || holder.name !== owner.name)) {
        return { ok: false, holder };
      }
      // The stored Service of this name holds it: a create of that name fails at the store anyway.
      if (holder !== undefined && (await storedUid(owner.namespace, owner.name)) === holder.uid) {
        return { ok: true };
      }
      await this.deleteAt(key, kv.modRevision);
    }
    // Three rounds of someone else taking the key between our reads: report it as held.
    const kv = await this.store.get(key);
    const holder = kv === undefined ? undefined : parseOwner(kv.value);
    return { ok: false, holder: holder ?? { namespace: '', name: '', uid: '' } };
  }

  /** Deletes the key of `item` if it still names `uid`; a key held by anyone else stays. */
  async release(kind: AllocationKind, item: string | number, uid: string): Promise<void> {
    const key = AllocationKeys.keyOf(kind, item);
    const kv = await this.store.get(key);
    if (kv === undefined || parseOwner(kv.value)?.uid !== uid) return;
    await this.deleteAt(key, kv.modRevision);
  }

  /** Deletes a key at the revision it was read at; a key changed or gone meanwhile is left alone. */
  async deleteAt(key: string, modRevision: number): Promise<boolean> {
    try {
      await this.store.delete(key, modRevision);
      return true;
    } catch (err) {
      if (ApiError.is(err, 'Conflict') || ApiError.is(err, 'NotFound')) return false;
      throw err;
    }
  }

  /** Points a key at another uid of the same Service, if it is still at `modRevision`. */
  async reassign(record: AllocationRecord, owner: AllocationOwner): Promise<void> {
    try {
      await this.store.update(
        AllocationKeys.keyOf(record.kind, record.item),
        encodeOwner(owner),
        record.modRevision,
      );
    } catch (err) {
      if (!(ApiError.is(err, 'Conflict') || ApiError.is(err, 'NotFound'))) throw err;
    }
  }

  /** Every allocation key in the store; keys that cannot be read are reported with an empty owner. */
  async list(): Promise<AllocationRecord[]> {
    const records: AllocationRecord[] = [];
    let cont: string | undefined;
    do {
      const page = await this.store.list(allocationPrefix, {
        limit: 1000,
        ...(cont !== undefined ? { continue: cont } : {}),
      });
      for (const kv of page.items) {
        const record = toRecord(kv);
        if (record) records.push(record);
      }
      cont = page.continue;
    } while (cont !== undefined);
    return records;
  }
}

function toRecord(kv: KeyValue): AllocationRecord | undefined {
  const rest = kv.key.slice(allocationPrefix.length);
  const slash = rest.indexOf('/');
  const kind = rest.slice(0, slash);
  if (slash < 0 || (kind !== 'clusterips' && kind !== 'nodeports')) return undefined;
  return {
    kind,
    item: rest.slice(slash + 1),
    owner: parseOwner(kv.value) ?? { namespace: '', name: '', uid: '' },
    modRevision: kv.modRevision,
  };
}
