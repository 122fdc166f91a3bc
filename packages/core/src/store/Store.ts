import type { Observable } from 'rxjs';

import { token } from '../di/token.js';

/** One stored key at one revision. Revisions are the store's global, strictly increasing counter. */
export interface KeyValue {
  readonly key: string;
  /** The value as written (Tugboat stores JSON text). */
  readonly value: string;
  /** Revision at which this key was created (kept across updates). */
  readonly createRevision: number;
  /** Revision of the last write to this key; the object's `resourceVersion`. */
  readonly modRevision: number;
}

/** Options for {@link Store.list}. */
export interface StoreListOptions {
  /** At most this many items; the result carries a `continue` token when more remain. */
  readonly limit?: number;
  /** A token from a previous page: the next page is read at that page's revision. */
  readonly continue?: string;
  /** Read at this past revision instead of the latest (Gone if compacted). */
  readonly revision?: number;
}

/** A page of a prefix list, all read at one revision. */
export interface StoreListResult {
  readonly items: readonly KeyValue[];
  /** The revision the page was read at (the list's `resourceVersion`). */
  readonly revision: number;
  /** Present when more items remain after this page. */
  readonly continue?: string;
  /** How many items remain after this page, when known. */
  readonly remaining?: number;
}

/** The kind of change a {@link StoreEvent} reports. */
export type StoreEventType = 'create' | 'update' | 'delete';

/**
 * One change to one key. For `delete`, `kv.value` is the last value and `kv.modRevision` the revision
 * of the deletion; `prevKv` holds the value before an update or delete.
 */
export interface StoreEvent {
  readonly type: StoreEventType;
  readonly kv: KeyValue;
  readonly prevKv?: KeyValue;
}

/**
 * Tugboat's single source of truth: a revisioned key-value store with watch, modelled on kine's
 * `Backend` and etcd v3. Every write bumps the global revision by one. Updates and deletes are
 * compare-and-swap on `modRevision`.
 *
 * Errors are {@link ApiError}s: `AlreadyExists` on create of an existing key, `NotFound` for a
 * missing key, `Conflict` when the expected revision does not match, `Gone` when a read or watch
 * asks for a compacted revision, `Invalid` for an unacceptable key or value, `Unavailable` when the
 * backend cannot be reached.
 */
export interface Store {
  /** The current value of `key`, or `undefined` if absent. */
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys starting with `prefix`, in key order, read at one consistent revision. */
  list(prefix: string, options?: StoreListOptions): Promise<StoreListResult>;
  /** Creates `key`; fails with `AlreadyExists` if it exists. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Replaces `key` if its `modRevision` is still `expectedRevision`; `Conflict` otherwise. */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /**
   * Deletes `key`, if given only when its `modRevision` is `expectedRevision`. Returns the deleted
   * value with `modRevision` set to the revision of the deletion.
   */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  /**
   * Changes under `prefix` with a revision strictly greater than `afterRevision` (the Kubernetes
   * `resourceVersion` semantics), in revision order; from now on when omitted. Cold: subscribing
   * opens the watch, unsubscribing closes it. Errors with `Gone` if `afterRevision` is compacted.
   */
  watch(prefix: string, afterRevision?: number): Observable<StoreEvent>;
  /** The revision of the latest write. */
  currentRevision(): Promise<number>;
  /**
   * Drops history before `revision`, as etcd does: reads at `revision` or later and watches with
   * `afterRevision >= revision` keep working; reads at an older revision get `Gone`, and so do
   * watches that need an event from before `revision`.
   */
  compact(revision: number): Promise<void>;
  /** Releases connections, timers and files. */
  close(): Promise<void>;
}

/** Inversify token for the {@link Store}. */
export const Store = token<Store>('core/Store');
