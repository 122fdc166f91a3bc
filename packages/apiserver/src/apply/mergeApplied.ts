import { applyFieldOf, type ApplyField } from './applySchema.js';
import type { PathElement } from './FieldSet.js';
import { isMap } from './fieldsOf.js';
import { listElements } from './listElements.js';

/**
 * Merges an applied configuration into a live object of root struct `rootType` and returns the
 * result (neither input is changed): maps and structs merge field by field, associative lists
 * merge their items by key (live items keep their place, new ones are appended), sets gain the
 * applied values, and everything else — scalars, atomic lists and structs — takes the applied
 * value. The configuration was checked with {@link fieldsOf} in strict mode first.
 */
export function mergeApplied(live: unknown, config: unknown, rootType: string | undefined): unknown {
  return merge(live, config, { list: 'atomic', ...(rootType !== undefined ? { type: rootType } : {}) }, []);
}

function merge(live: unknown, config: unknown, field: ApplyField, path: PathElement[]): unknown {
  if (!field.atomic && isMap(live) && isMap(config)) {
    const out: Record<string, unknown> = { ...live };
    for (const [k, v] of Object.entries(config)) {
      out[k] = merge(live[k], v, applyFieldOf(field.type, k), [...path, `f:${k}`]);
    }
    return out;
  }
  if (field.list !== 'atomic' && Array.isArray(live) && Array.isArray(config)) {
    const liveItems = listElements(live, field, false, path);
    const applied = listElements(config, field, true, path) ?? [];
    if (liveItems !== undefined) return mergeList(liveItems, applied, field, path);
  }
  return structuredClone(config);
}

function mergeList(
  live: readonly { pe: PathElement; value: unknown }[],
  applied: readonly { pe: PathElement; value: unknown }[],
  field: ApplyField,
  path: PathElement[],
): unknown[] {
  const wanted = new Map(applied.map((e) => [e.pe, e.value]));
  const item: ApplyField = { list: 'atomic', ...(field.type !== undefined ? { type: field.type } : {}) };
  const out = live.map(({ pe, value }) =>
    wanted.has(pe) && field.list === 'map' ? merge(value, wanted.get(pe), item, [...path, pe]) : value,
  );
  const present = new Set(live.map((e) => e.pe));
  for (const { pe, value } of applied) if (!present.has(pe)) out.push(structuredClone(value));
  return out;
}
