import { apiVersionOf, type KeyValue, type KubeObject, type ResourceDefinition } from '@tugboat/core';

import { metaOf } from './mutable.js';

/** Enough for the writes of one burst to reach their watches before being forgotten. */
const capacity = 4096;

/**
 * The objects of the latest writes, by the JSON the store was given. The write path already holds
 * the object it encoded, so the watch event of that write takes it from here instead of parsing
 * the JSON back: one encode per write, shared by the store, the response and the watch event.
 * Keyed by the store key, holding the very string handed to the store (which a store keeps and
 * gives its watchers), so a lookup hashes a short key and compares the JSON by reference; a key
 * written again before its event arrived keeps only the newest. Remembered before the store call, because a
 * store may deliver the event before the writer resumes. Bounded; each entry is taken once; a miss
 * (another store, another API server, an evicted entry) just parses.
 *
 * The objects are shared with the write's response, so nobody may mutate them: the in-process
 * client copies what it hands out and the HTTP front serialises.
 */
const recent = new Map<string, { readonly value: string; readonly obj: KubeObject }>();

/** Remembers `obj` as what the store is about to hold at `key` as `value` (`obj` encoded). */
export function rememberWritten(key: string, value: string, obj: KubeObject): void {
  recent.delete(key);
  recent.set(key, { value, obj });
  if (recent.size > capacity) {
    const oldest = recent.keys().next();
    if (oldest.done !== true) recent.delete(oldest.value);
  }
}

/**
 * The object written as `kv`, when it was remembered and is served at `def`'s version, finished as
 * a decode of `kv` would be ({@link finishWritten}); it is forgotten either way.
 */
export function takeWritten(def: ResourceDefinition, kv: KeyValue): KubeObject | undefined {
  const entry = recent.get(kv.key);
  if (entry === undefined || entry.value !== kv.value) return undefined;
  recent.delete(kv.key);
  const obj = entry.obj;
  if (obj.apiVersion !== apiVersionOf(def) || obj.kind !== def.kind) return undefined;
  return finishWritten(def, obj, kv);
}

/**
 * Makes the object a write encoded into what a decode of the stored `kv` gives: the store's
 * revision as its resourceVersion (last among the metadata keys, as a decode puts it), and the
 * served apiVersion and kind. Idempotent, so the writer and the watch may both call it.
 */
export function finishWritten(def: ResourceDefinition, obj: KubeObject, kv: KeyValue): KubeObject {
  const meta = metaOf(obj);
  delete meta.resourceVersion;
  meta.resourceVersion = String(kv.modRevision);
  obj.apiVersion = apiVersionOf(def);
  obj.kind = def.kind;
  return obj;
}
