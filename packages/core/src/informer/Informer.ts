import type { Observable } from 'rxjs';

import type { KubeObject } from '../meta/KubeObject.js';

/** A change applied to an informer's cache. `old` is the cached object an update replaced. */
export type InformerEvent<T> =
  | { readonly type: 'added'; readonly object: T }
  | { readonly type: 'updated'; readonly object: T; readonly old: T }
  | { readonly type: 'deleted'; readonly object: T };

/** Computes the index values of an object (`byNamespace` → `[namespace]`). */
export type IndexFunc<T> = (object: T) => readonly string[];

/** The informer's read-only, indexed cache. Objects in it are shared: never mutate them. */
export interface ObjectCache<T extends KubeObject> {
  /** The object `namespace/name` (or `name` when cluster-scoped). */
  get(name: string, namespace?: string): T | undefined;
  /** Every object, or those of one namespace. */
  list(namespace?: string): readonly T[];
  /** Objects whose index `index` holds `value`. */
  byIndex(index: string, value: string): readonly T[];
  readonly size: number;
}

/**
 * List + watch of one resource kept in an indexed cache: relists on `Gone`, retries with bounded,
 * jittered backoff, and publishes every cache change on `events`. Shared per resource in a process.
 */
export interface Informer<T extends KubeObject> {
  readonly cache: ObjectCache<T>;
  /**
   * Hot stream of cache changes. A new subscriber first receives an `added` for every object
   * already cached, so it never misses state.
   */
  readonly events: Observable<InformerEvent<T>>;
  /** Adds an index; must be called before {@link start}. */
  addIndex(name: string, fn: IndexFunc<T>): void;
  /** Starts list + watch; resolves once the first list is in the cache. */
  start(): Promise<void>;
  stop(): Promise<void>;
  hasSynced(): boolean;
  /** The last resourceVersion the cache reflects. */
  readonly resourceVersion: string;
}
