import { ApiError } from '../errors/ApiError.js';
import type { KubeObject } from '../meta/KubeObject.js';
import { objectKey } from '../meta/objectKey.js';
import type { IndexFunc, ObjectCache } from './Informer.js';

/** Names of the indexes every informer cache has. */
export const builtinIndexes = {
  /** Objects by `metadata.namespace` (cluster-scoped objects are not indexed). */
  namespace: 'namespace',
  /** Objects by the uid of each of their owner references. */
  ownerUid: 'owner-uid',
  /** Pods (any object with a `spec`) by `spec.nodeName`; `''` holds the unassigned ones. */
  nodeName: 'spec.nodeName',
} as const;

const builtinIndexFuncs: ReadonlyArray<[string, IndexFunc<KubeObject>]> = [
  [builtinIndexes.namespace, (o) => (o.metadata?.namespace ? [o.metadata.namespace] : [])],
  [builtinIndexes.ownerUid, (o) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid)],
  [
    builtinIndexes.nodeName,
    (o) => {
      const spec = (o as { spec?: unknown }).spec;
      if (typeof spec !== 'object' || spec === null) return [];
      const node = (spec as { nodeName?: unknown }).nodeName;
      return [typeof node === 'string' ? node : ''];
    },
  ],
];

/**
 * An in-memory, indexed object store keyed by `namespace/name`: the cache behind an informer.
 * Writes are for the informer only; readers get the read-only {@link ObjectCache} view.
 */
export class IndexedCache<T extends KubeObject> implements ObjectCache<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexFuncs = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor() {
    for (const [name, fn] of builtinIndexFuncs) this.addIndex(name, fn);
  }

  /** Adds an index and fills it from the current contents; `BadRequest` if the name is taken. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexFuncs.has(name)) throw new ApiError('BadRequest', `index "${name}" already exists`);
    this.indexFuncs.set(name, fn);
    this.indices.set(name, new Map());
    for (const [key, obj] of this.objects) this.indexOne(name, fn, key, obj);
  }

  get size(): number {
    return this.objects.size;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(namespace?: string): readonly T[] {
    if (namespace === undefined || namespace === '') return [...this.objects.values()];
    return this.byIndex(builtinIndexes.namespace, namespace);
  }

  keys(): readonly string[] {
    return [...this.objects.keys()];
  }

  byIndex(index: string, value: string): readonly T[] {
    const idx = this.indices.get(index);
    if (idx === undefined) throw new ApiError('BadRequest', `index "${index}" does not exist`);
    const keys = idx.get(value);
    if (keys === undefined) return [];
    const out: T[] = [];
    for (const k of keys) {
      const obj = this.objects.get(k);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /** Inserts or replaces an object; returns the object it replaced. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    this.objects.set(key, obj);
    if (old === undefined) {
      for (const [name, fn] of this.indexFuncs) this.indexOne(name, fn, key, obj);
      return old;
    }
    // Most updates (status, a binding) keep most index values: only what changed moves.
    for (const [name, fn] of this.indexFuncs) {
      const idx = this.indices.get(name);
      if (idx === undefined) continue;
      const before = safeValues(fn, old);
      const after = safeValues(fn, obj);
      if (sameValues(before, after)) continue;
      for (const value of before) this.unindexValue(idx, value, key);
      this.indexValues(idx, after, key);
    }
    return old;
  }

  /** Removes the object with this key; returns it if it was cached. */
  remove(key: string): T | undefined {
    const old = this.objects.get(key);
    if (old === undefined) return undefined;
    this.unindex(key, old);
    this.objects.delete(key);
    return old;
  }

  private indexOne(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const idx = this.indices.get(name);
    if (idx !== undefined) this.indexValues(idx, safeValues(fn, obj), key);
  }

  private indexValues(idx: Map<string, Set<string>>, values: readonly string[], key: string): void {
    for (const value of values) {
      let keys = idx.get(value);
      if (keys === undefined) idx.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexFuncs) {
      const idx = this.indices.get(name);
      if (idx === undefined) continue;
      for (const value of safeValues(fn, obj)) this.unindexValue(idx, value, key);
    }
  }

  private unindexValue(idx: Map<string, Set<string>>, value: string, key: string): void {
    const keys = idx.get(value);
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) idx.delete(value);
  }
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// A throwing user index function must not wedge the informer: the object is simply not indexed.
function safeValues<T>(fn: IndexFunc<T>, obj: T): readonly string[] {
  try {
    return fn(obj);
  } catch {
    return [];
  }
}
