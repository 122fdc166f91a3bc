import {
  ApiError,
  apiVersionOf,
  type KeyValue,
  type KubeObject,
  type ResourceDefinition,
} from '@tugboat/core';

import { jsonCopy } from './jsonCopy.js';

/** The store key of one object: `/<group or core>/<plural>/<namespace>/<name>` or `/<group>/<plural>/<name>`. */
export function storageKey(def: ResourceDefinition, namespace: string | undefined, name: string): string {
  return def.namespaced ? `${storagePrefix(def, namespace)}${name}` : `${storagePrefix(def)}${name}`;
}

/** The store prefix of a resource, narrowed to one namespace when given. Always ends in `/`. */
export function storagePrefix(def: ResourceDefinition, namespace?: string): string {
  const base = `/${def.group || 'core'}/${def.plural}/`;
  return def.namespaced && namespace !== undefined ? `${base}${namespace}/` : base;
}

/**
 * Reads a stored object: its `resourceVersion` is the key's revision (or `revision` for a delete),
 * and `apiVersion` the version it is served at (custom kinds share storage across versions).
 */
export function decode(def: ResourceDefinition, kv: KeyValue, revision = kv.modRevision): KubeObject {
  let obj: KubeObject;
  try {
    obj = JSON.parse(kv.value) as KubeObject;
  } catch (cause) {
    throw new ApiError('Internal', `stored object at ${kv.key} is not valid JSON`, {}, { cause });
  }
  obj.apiVersion = apiVersionOf(def);
  obj.kind = def.kind;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(revision) };
  return obj;
}

/** The stored form of an object: JSON without `resourceVersion`, which the store's revision replaces. */
export function encode(obj: KubeObject): string {
  const copy = { ...obj, metadata: { ...(obj.metadata ?? {}) } };
  delete copy.metadata.resourceVersion;
  return JSON.stringify(copy);
}

/**
 * A deep copy of a JSON-shaped value, as the store would give it back (see {@link jsonCopy}: far
 * cheaper than `structuredClone` or a parse).
 */
export function clone<T>(value: T): T {
  return jsonCopy(value);
}

/** Runs `fn`, turning any non-ApiError into an ApiError of `code` so no library error escapes. */
export async function translate<T>(
  fn: () => Promise<T>,
  code: 'Internal' | 'BadRequest' = 'Internal',
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asApiError(err, code);
  }
}

/** `err` as an ApiError; anything else becomes one of `code`, keeping the original as `cause`. */
export function asApiError(err: unknown, code: 'Internal' | 'BadRequest' = 'Internal'): ApiError {
  if (ApiError.is(err)) return err;
  return new ApiError(code, err instanceof Error ? err.message : String(err), {}, { cause: err });
}
