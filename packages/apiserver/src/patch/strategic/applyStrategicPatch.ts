import { ApiError } from '@tugboat/core';

import type { FieldPatchMeta, PatchSchema } from './patchSchema.js';

type JsonMap = Record<string, unknown>;

const patchDirective = '$patch';
const retainKeysDirective = '$retainKeys';
const setElementOrderPrefix = '$setElementOrder/';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList/';

/**
 * Applies a strategic merge patch to `original` (not mutated) for an object whose root struct type
 * is `rootType` in `schema`, with the semantics of Kubernetes' strategicpatch package: maps merge,
 * `null` deletes, lists with a merge strategy merge by their merge key (or as sets of primitives),
 * other lists are replaced, and the directives `$patch` (replace / delete / merge),
 * `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` are honoured.
 * Malformed patches fail with `BadRequest`.
 *
 * Written for Tugboat: no maintained JavaScript library implements strategic merge patch.
 */
export function applyStrategicPatch(
  original: unknown,
  patch: unknown,
  schema: PatchSchema,
  rootType: string,
): unknown {
  if (!isMap(patch)) throw badPatch('a strategic merge patch must be a JSON object');
  return mergeMap(isMap(original) ? structuredClone(original) : {}, patch, schema, rootType, '');
}

function mergeMap(
  original: JsonMap,
  patch: JsonMap,
  schema: PatchSchema,
  type: string | undefined,
  path: string,
): JsonMap {
  const fields = type === undefined ? undefined : schema[type];
  const directive = patch[patchDirective];
  if (directive !== undefined) {
    if (directive === 'replace')
      return stripDirectives(withoutKey(patch, patchDirective), schema, type, path);
    if (directive === 'delete') return {};
    if (directive !== 'merge')
      throw badPatch(`${path || 'patch'}: unknown $patch directive ${JSON.stringify(directive)}`);
  }

  const retain = patch[retainKeysDirective];
  if (retain !== undefined) {
    if (!Array.isArray(retain) || !retain.every((k) => typeof k === 'string')) {
      throw badPatch(`${path || 'patch'}: $retainKeys must be a list of strings`);
    }
    for (const key of Object.keys(patch)) {
      if (!isDirectiveKey(key) && patch[key] !== null && !retain.includes(key)) {
        throw badPatch(`${path || 'patch'}: key "${key}" is not in $retainKeys`);
      }
    }
    for (const key of Object.keys(original)) if (!retain.includes(key)) Reflect.deleteProperty(original, key);
  }

  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(deleteFromPrimitiveListPrefix)) {
      const field = key.slice(deleteFromPrimitiveListPrefix.length);
      const current = original[field];
      if (!Array.isArray(value)) throw badPatch(`${join(path, field)}: ${key} must be a list`);
      if (Array.isArray(current))
        original[field] = current.filter((v) => !value.some((d) => jsonEqual(d, v)));
    }
  }

  for (const [key, value] of Object.entries(patch)) {
    if (isDirectiveKey(key)) continue;
    const fieldPath = join(path, key);
    const meta = fields?.[key];
    if (value === null) {
      Reflect.deleteProperty(original, key);
    } else if (isMap(value)) {
      const current = original[key];
      original[key] = mergeMap(isMap(current) ? current : {}, value, schema, meta?.type, fieldPath);
    } else if (Array.isArray(value)) {
      const current = original[key];
      original[key] = mergeList(Array.isArray(current) ? current : [], value, schema, meta, fieldPath);
    } else {
      original[key] = value;
    }
  }

  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const field = key.slice(setElementOrderPrefix.length);
    if (!Array.isArray(order)) throw badPatch(`${join(path, field)}: ${key} must be a list`);
    const current = original[field];
    if (Array.isArray(current)) original[field] = reorder(current, order, fields?.[field]?.mergeKey);
  }
  return original;
}

function mergeList(
  original: unknown[],
  patch: unknown[],
  schema: PatchSchema,
  meta: FieldPatchMeta | undefined,
  path: string,
): unknown[] {
  if (meta?.merge !== true)
    return patch.map((item, i) => stripValue(item, schema, meta?.type, `${path}[${i}]`));

  if (meta.mergeKey === undefined) {
    // A merged list of primitives is a set union that keeps the original order.
    const result = [...original];
    for (const item of patch) {
      if (isMap(item)) throw badPatch(`${path}: expected a list of primitives`);
      if (!result.some((v) => jsonEqual(v, item))) result.push(item);
    }
    return result;
  }

  const key = meta.mergeKey;
  if (patch.some((item) => isMap(item) && item[patchDirective] === 'replace')) {
    return patch
      .filter((item) => !(isMap(item) && item[patchDirective] === 'replace'))
      .map((item, i) => stripValue(item, schema, meta.type, `${path}[${i}]`));
  }
  const result = original.map((item) => (isMap(item) ? { ...item } : item));
  patch.forEach((item, i) => {
    const itemPath = `${path}[${i}]`;
    if (!isMap(item)) throw badPatch(`${itemPath}: expected an object with merge key "${key}"`);
    if (!(key in item)) throw badPatch(`${itemPath}: does not contain declared merge key: ${key}`);
    const at = result.findIndex((existing) => isMap(existing) && jsonEqual(existing[key], item[key]));
    if (item[patchDirective] === 'delete') {
      if (at >= 0) result.splice(at, 1);
      return;
    }
    if (at >= 0) result[at] = mergeMap(result[at] as JsonMap, item, schema, meta.type, itemPath);
    else result.push(mergeMap({}, item, schema, meta.type, itemPath));
  });
  return result;
}

/** Orders `list` as `order` says (by merge key or value); elements it does not name keep their place at the end. */
function reorder(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const identity = (item: unknown): unknown =>
    mergeKey !== undefined && isMap(item) ? item[mergeKey] : item;
  const orderKey = (o: unknown): unknown => (mergeKey !== undefined && isMap(o) ? o[mergeKey] : o);
  const rank = (item: unknown): number => {
    const i = order.findIndex((o) => jsonEqual(orderKey(o), identity(item)));
    return i < 0 ? order.length : i;
  };
  return list
    .map((item, index) => ({ item, index, rank: rank(item) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((e) => e.item);
}

function stripValue(value: unknown, schema: PatchSchema, type: string | undefined, path: string): unknown {
  if (isMap(value)) return mergeMap({}, value, schema, type, path);
  if (Array.isArray(value)) return value.map((v, i) => stripValue(v, schema, undefined, `${path}[${i}]`));
  return value;
}

function stripDirectives(map: JsonMap, schema: PatchSchema, type: string | undefined, path: string): JsonMap {
  return mergeMap({}, map, schema, type, path);
}

function isDirectiveKey(key: string): boolean {
  return (
    key === patchDirective ||
    key === retainKeysDirective ||
    key.startsWith('$setElementOrder/') ||
    key.startsWith('$deleteFromPrimitiveList/')
  );
}

function withoutKey(map: JsonMap, key: string): JsonMap {
  return Object.fromEntries(Object.entries(map).filter(([k]) => k !== key));
}

function isMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function badPatch(message: string): ApiError {
  return new ApiError('BadRequest', `invalid strategic merge patch: ${message}`);
}
