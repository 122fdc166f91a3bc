import { applyFieldOf, type ApplyField } from './applySchema.js';
import { FieldSet } from './FieldSet.js';
import { isMap } from './fieldsOf.js';
import { listElements } from './listElements.js';

/**
 * Removes from an object (in place) the fields of `remove`, except what `keep` still holds: a
 * map, struct or list item that someone keeps something below is not removed whole; only the
 * removable fields inside it go. Returns the object.
 */
export function removeFields<T>(obj: T, remove: FieldSet, keep: FieldSet, rootType: string | undefined): T {
  if (isMap(obj))
    prune(obj, remove, keep, { list: 'atomic', ...(rootType !== undefined ? { type: rootType } : {}) });
  return obj;
}

function prune(value: unknown, remove: FieldSet, keep: FieldSet, field: ApplyField): void {
  if (isMap(value)) {
    for (const pe of remove.elements()) {
      if (!pe.startsWith('f:')) continue;
      const name = pe.slice(2);
      if (!(name in value)) continue;
      const below = remove.child(pe);
      const kept = keep.child(pe);
      if (below.member && kept.isEmpty()) Reflect.deleteProperty(value, name);
      else prune(value[name], below, kept, applyFieldOf(field.type, name));
    }
    return;
  }
  if (!Array.isArray(value) || field.list === 'atomic') return;
  const items = listElements(value, field, false, []);
  if (items === undefined) return;
  const item: ApplyField = { list: 'atomic', ...(field.type !== undefined ? { type: field.type } : {}) };
  const keyFields = FieldSet.fromPaths((field.keys ?? []).map((k) => [`f:${k}`]));
  const drop = new Set<number>();
  items.forEach(({ pe, value: v }, i) => {
    const below = remove.child(pe);
    if (below.isEmpty()) return;
    const kept = keep.child(pe);
    if (below.member && kept.isEmpty()) drop.add(i);
    // An item that stays keeps its key fields, whoever owned them.
    else prune(v, below, kept.union(keyFields), item);
  });
  if (drop.size === 0) return;
  const rest: unknown[] = value.filter((_, i) => !drop.has(i));
  value.splice(0, value.length, ...rest);
}
