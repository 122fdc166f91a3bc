import { applyFieldOf, type ApplyField } from './applySchema.js';
import { FieldSet, type PathElement } from './FieldSet.js';
import { listElements } from './listElements.js';

/** Fields no manager owns: identity and server-set metadata, as upstream leaves them out. */
export const ignoredFields = FieldSet.fromPaths(
  [
    ['f:apiVersion'],
    ['f:kind'],
    ...[
      'name',
      'namespace',
      'uid',
      'resourceVersion',
      'generation',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'managedFields',
      'selfLink',
    ].map((f) => ['f:metadata', `f:${f}`]),
  ].map((p) => p),
);

/**
 * The set of field paths of an object of root struct `rootType`: every leaf value, every item of a
 * granular list (marked `.` when it has fields below), atomic lists and structs as one leaf. With
 * `strict`, malformed lists fail with `BadRequest` (see {@link listElements}).
 */
export function fieldsOf(obj: unknown, rootType: string | undefined, strict = false): FieldSet {
  return valueFields(
    obj,
    { list: 'atomic', ...(rootType !== undefined ? { type: rootType } : {}) },
    strict,
    [],
  ).difference(ignoredFields);
}

/** The fields of one value whose schema is `field` (of the enclosing struct). */
export function valueFields(
  value: unknown,
  field: ApplyField,
  strict: boolean,
  path: readonly PathElement[],
): FieldSet {
  if (isMap(value)) {
    const keys = Object.keys(value);
    if (field.atomic || keys.length === 0) return FieldSet.leaf;
    return FieldSet.of(
      false,
      keys.map((k) => {
        const pe = `f:${k}`;
        return [pe, valueFields(value[k], applyFieldOf(field.type, k), strict, [...path, pe])] as const;
      }),
    );
  }
  if (Array.isArray(value) && field.list !== 'atomic' && value.length > 0) {
    const items = listElements(value, field, strict, path);
    if (items === undefined) return FieldSet.leaf;
    const item: ApplyField = { list: 'atomic', ...(field.type !== undefined ? { type: field.type } : {}) };
    return FieldSet.of(
      false,
      items.map(({ pe, value: v }) => {
        if (field.list === 'set') return [pe, FieldSet.leaf] as const;
        const below = valueFields(v, item, strict, [...path, pe]);
        return [
          pe,
          FieldSet.of(
            true,
            [...below.elements()].map((e) => [e, below.child(e)] as const),
          ),
        ] as const;
      }),
    );
  }
  return FieldSet.leaf;
}

/** Whether a JSON value is a plain object. */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
