import { ApiError, type KeyValue, type StoreEvent } from '@tugboat/core';
import sortedBtree from 'sorted-btree';

import { compareKeys } from './compareKeys.js';

// sorted-btree is CommonJS with `exports.default`; under ESM the default import is the exports object.
const BTree = sortedBtree.default;
type BTree<K, V> = InstanceType<typeof sortedBtree.default<K, V>>;

/** One version of one key; a deletion is a version too, so reads at older revisions still see the key. */
interface Version {
  readonly kv: KeyValue;
  readonly deleted: boolean;
}

const stop = { break: true } as const;

/** One page of a prefix scan at one revision. */
export interface ScanResult {
  readonly items: KeyValue[];
  /** True when at least one more visible key follows the page. */
  readonly more: boolean;
}

/** A write as journaled: enough to replay it exactly. */
export type WriteRecord =
  | { readonly o: 'c' | 'u'; readonly r: number; readonly k: string; readonly v: string }
  | { readonly o: 'd'; readonly r: number; readonly k: string };

/**
 * The multi-version state of the store: every key's versions since the compaction point, in a
 * B+ tree ordered like etcd, and the event log that watches replay from. Synchronous and pure:
 * persistence and fan-out are layered on top.
 */
export class Mvcc {
  /** The revision of the latest write. */
  revision = 0;
  /** History before this is gone; the state at exactly this revision is still readable. */
  compactRevision = 0;
  /** Ordered index for prefix scans; `histories` answers exact lookups without key comparisons. */
  private readonly keys: BTree<string, Version[]> = new BTree<string, Version[]>(undefined, compareKeys);
  private readonly histories = new Map<string, Version[]>();
  private log: StoreEvent[] = [];
  private logHead = 0;
  /** Revision of `log[logHead]`: revisions are contiguous, one event each. */
  private logFirst = 1;

  /** The live value of `key`. */
  get(key: string): KeyValue | undefined {
    const last = this.histories.get(key)?.at(-1);
    return last === undefined || last.deleted ? undefined : last.kv;
  }

  /** Creates `key`; `AlreadyExists` if it is live. */
  create(key: string, value: string): StoreEvent {
    const history = this.histories.get(key);
    const last = history?.at(-1);
    if (last !== undefined && !last.deleted)
      throw new ApiError('AlreadyExists', `key "${key}" already exists`, { name: key });
    const rev = this.revision + 1;
    const kv = freeze({ key, value, createRevision: rev, modRevision: rev });
    return this.append(key, history, { kv, deleted: false }, { type: 'create', kv });
  }

  /** Replaces `key` when its modRevision is `expected` (any revision when `expected` is undefined). */
  update(key: string, value: string, expected: number | undefined): StoreEvent {
    const history = this.histories.get(key);
    const prev = this.live(key, history, expected);
    const kv = freeze({ key, value, createRevision: prev.createRevision, modRevision: this.revision + 1 });
    return this.append(key, history, { kv, deleted: false }, { type: 'update', kv, prevKv: prev });
  }

  /** Deletes `key` when its modRevision is `expected` (or unconditionally). */
  delete(key: string, expected: number | undefined): StoreEvent {
    const history = this.histories.get(key);
    const prev = this.live(key, history, expected);
    const kv = freeze({
      key,
      value: prev.value,
      createRevision: prev.createRevision,
      modRevision: this.revision + 1,
    });
    return this.append(key, history, { kv, deleted: true }, { type: 'delete', kv, prevKv: prev });
  }

  /** Re-applies a journaled write; throws a plain message when it does not fit the state. */
  replay(record: WriteRecord): StoreEvent {
    if (record.r !== this.revision + 1) throw new Error(`revision ${record.r} follows ${this.revision}`);
    if (record.o === 'c') return this.create(record.k, record.v);
    if (record.o === 'u') return this.update(record.k, record.v, undefined);
    return this.delete(record.k, undefined);
  }

  /**
   * Live keys under `prefix` at `revision`, in key order, strictly after `after` when given, at
   * most `limit` of them (0 = all).
   */
  scan(prefix: string, revision: number, after: string | undefined, limit: number): ScanResult {
    const items: KeyValue[] = [];
    const start = after !== undefined && compareKeys(after, prefix) >= 0 ? after : prefix;
    const end = this.keys.maxKey();
    if (end === undefined) return { items, more: false };
    let more = false;
    // forRange (not entries()) because it allocates nothing per key; `{ break }` stops it early.
    this.keys.forRange(start, end, true, (key, history) => {
      // Keys sharing a prefix are contiguous and none precedes `start`, so the first other key ends it.
      if (!key.startsWith(prefix)) return stop;
      if (key === after) return undefined;
      const version = versionAt(history, revision);
      if (version === undefined || version.deleted) return undefined;
      if (limit > 0 && items.length === limit) {
        more = true;
        return stop;
      }
      items.push(version.kv);
      return undefined;
    });
    return { items, more };
  }

  /** Events under `prefix` with `after < revision <= upTo`, from the log. */
  eventsAfter(prefix: string, after: number, upTo: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    const from = Math.max(after + 1, this.logFirst);
    for (let rev = from; rev <= upTo; rev++) {
      const event = this.log[this.logHead + rev - this.logFirst];
      if (event !== undefined && event.kv.key.startsWith(prefix)) out.push(event);
    }
    return out;
  }

  /** Drops history before `revision`, keeping the state at `revision` and the events from it on. */
  compact(revision: number): void {
    if (revision <= this.compactRevision) return;
    this.compactRevision = Math.min(revision, this.revision);
    // The event at the compaction revision itself stays, as in etcd: a watch after `revision - 1` works.
    const drop = Math.max(0, this.compactRevision - this.logFirst);
    const touched = new Set<string>();
    for (let i = this.logHead; i < this.logHead + drop; i++) {
      const event = this.log[i];
      if (event !== undefined) touched.add(event.kv.key);
    }
    this.logHead += drop;
    this.logFirst += drop;
    if (this.logHead > 1024 && this.logHead * 2 > this.log.length) {
      this.log = this.log.slice(this.logHead);
      this.logHead = 0;
    }
    for (const key of touched) this.trim(key);
  }

  /** The oldest `afterRevision` a watch can start from: every event after it is still in the log. */
  get oldestWatchable(): number {
    return this.logFirst - 1;
  }

  /** Every live key at `revision` (which must not be compacted), for a snapshot. */
  snapshotAt(revision: number): KeyValue[] {
    return this.scan('', revision, undefined, 0).items;
  }

  /** Loads a snapshot into an empty state: `revision` becomes both current and compacted. */
  restore(items: readonly KeyValue[], revision: number): void {
    for (const kv of items) this.index(kv.key, [{ kv: freeze({ ...kv }), deleted: false }]);
    this.revision = revision;
    this.compactRevision = revision;
    this.logFirst = revision + 1;
  }

  /** How many keys (live or with retained history) the index holds. */
  get indexedKeys(): number {
    return this.keys.size;
  }

  private live(key: string, history: Version[] | undefined, expected: number | undefined): KeyValue {
    const last = history?.at(-1);
    if (last === undefined || last.deleted)
      throw new ApiError('NotFound', `key "${key}" not found`, { name: key });
    if (expected !== undefined && last.kv.modRevision !== expected) {
      throw new ApiError(
        'Conflict',
        `key "${key}" is at revision ${last.kv.modRevision}, not the expected ${expected}`,
        { name: key },
      );
    }
    return last.kv;
  }

  private append(
    key: string,
    history: Version[] | undefined,
    version: Version,
    event: StoreEvent,
  ): StoreEvent {
    if (history === undefined) this.index(key, [version]);
    else history.push(version);
    Object.freeze(event);
    this.log.push(event);
    this.revision += 1;
    return event;
  }

  /** Removes the versions of `key` no read at or after the compaction point can see. */
  private trim(key: string): void {
    const history = this.histories.get(key);
    if (history === undefined) return;
    const idx = indexAt(history, this.compactRevision);
    if (idx < 0) return;
    const visible = history[idx];
    history.splice(0, visible?.deleted === true ? idx + 1 : idx);
    if (history.length === 0) {
      this.keys.delete(key);
      this.histories.delete(key);
    }
  }

  private index(key: string, history: Version[]): void {
    this.keys.set(key, history);
    this.histories.set(key, history);
  }
}

/** Index of the last version with `modRevision <= revision`, or -1. */
function indexAt(history: readonly Version[], revision: number): number {
  let lo = 0;
  let hi = history.length - 1;
  if (hi >= 0 && (history[hi]?.kv.modRevision ?? 0) <= revision) return hi;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((history[mid]?.kv.modRevision ?? Infinity) <= revision) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function versionAt(history: readonly Version[], revision: number): Version | undefined {
  const idx = indexAt(history, revision);
  return idx < 0 ? undefined : history[idx];
}

function freeze(kv: KeyValue): KeyValue {
  return Object.freeze(kv);
}
