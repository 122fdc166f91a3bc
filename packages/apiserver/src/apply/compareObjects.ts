import { jsonEqual } from '@tugboat/core';
import { applyFieldOf, type ApplyField } from './applySchema.js';
import { FieldSet, type PathElement } from './FieldSet.js';
import { ignoredFields, isMap, valueFields } from './fieldsOf.js';
import { listElements } from './listElements.js';

/** What changed between two versions of an object, as field sets. */
export interface FieldChanges {
  /** Paths added or given another value. */
  readonly changed: FieldSet;
  /** Paths present before and gone now. */
  readonly removed: FieldSet;
}

const none: FieldChanges = { changed: FieldSet.empty, removed: FieldSet.empty };

/**
 * Compares two versions of an object of root struct `rootType` field by field, following the
 * apply schema (associative lists by key, sets by value, atomic values whole). Server-set
 * metadata is left out, as for ownership.
 */
export function compareObjects(before: unknown, after: unknown, rootType: string | undefined): FieldChanges {
  const root: ApplyField = { list: 'atomic', ...(rootType !== undefined ? { type: rootType } : {}) };
  const { changed, removed } = compare(before, after, root, []);
  return { changed: changed.difference(ignoredFields), removed: removed.difference(ignoredFields) };
}

function compare(a: unknown, b: unknown, field: ApplyField, path: PathElement[]): FieldChanges {
  if (a === undefined && b === undefined) return none;
  if (a === undefined) return { changed: valueFields(b, field, false, path), removed: FieldSet.empty };
  if (b === undefined) return { changed: FieldSet.empty, removed: valueFields(a, field, false, path) };
  if (!field.atomic && isMap(a) && isMap(b) && Object.keys(a).length > 0 && Object.keys(b).length > 0) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return gather(
      [...keys].map((k) => [`f:${k}`, compare(a[k], b[k], applyFieldOf(field.type, k), [...path, `f:${k}`])]),
    );
  }
  if (field.list !== 'atomic' && Array.isArray(a) && Array.isArray(b) && a.length > 0 && b.length > 0) {
    const before = listElements(a, field, false, path);
    const after = listElements(b, field, false, path);
    if (before !== undefined && after !== undefined) return compareLists(before, after, field, path);
  }
  if (jsonEqual(a, b)) return none;
  const changed = valueFields(b, field, false, path);
  return { changed, removed: valueFields(a, field, false, path).difference(changed) };
}

function compareLists(
  before: readonly { pe: PathElement; value: unknown }[],
  after: readonly { pe: PathElement; value: unknown }[],
  field: ApplyField,
  path: PathElement[],
): FieldChanges {
  const old = new Map(before.map((e) => [e.pe, e.value]));
  const now = new Map(after.map((e) => [e.pe, e.value]));
  const item: ApplyField = { list: 'atomic', ...(field.type !== undefined ? { type: field.type } : {}) };
  const entries: [PathElement, FieldChanges][] = [];
  const wrapItem = (set: FieldSet): FieldSet =>
    FieldSet.of(
      true,
      set.elements().map((e) => [e, set.child(e)] as const),
    );
  for (const [pe, value] of now) {
    if (!old.has(pe)) {
      const added =
        field.list === 'set' ? FieldSet.leaf : wrapItem(valueFields(value, item, false, [...path, pe]));
      entries.push([pe, { changed: added, removed: FieldSet.empty }]);
    } else if (field.list === 'map') {
      entries.push([pe, compare(old.get(pe), value, item, [...path, pe])]);
    }
  }
  for (const [pe, value] of old) {
    if (now.has(pe)) continue;
    const gone =
      field.list === 'set' ? FieldSet.leaf : wrapItem(valueFields(value, item, false, [...path, pe]));
    entries.push([pe, { changed: FieldSet.empty, removed: gone }]);
  }
  return gather(entries);
}

function gather(entries: readonly (readonly [PathElement, FieldChanges])[]): FieldChanges {
  return {
    changed: FieldSet.of(
      false,
      entries.map(([pe, c]) => [pe, c.changed] as const),
    ),
    removed: FieldSet.of(
      false,
      entries.map(([pe, c]) => [pe, c.removed] as const),
    ),
  };
}
