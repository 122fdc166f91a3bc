import { ApiError } from '@tugboat/core';

import type { ApplyField } from './applySchema.js';
import { formatPath, type PathElement } from './FieldSet.js';

/** One item of a granular list: its path element and value. */
export interface ListElement {
  readonly pe: PathElement;
  readonly value: unknown;
}

/**
 * The items of a `map` or `set` list by their path elements (`k:{"name":"c"}`, `v:"x"`). An item
 * without a key field, a duplicate or a non-primitive set item makes the list unusable as granular:
 * `strict` (an applied configuration) fails with `BadRequest` naming it; otherwise the caller gets
 * undefined and treats the list as atomic, so a stored object never fails a write over ownership.
 */
export function listElements(
  list: readonly unknown[],
  field: ApplyField,
  strict: boolean,
  where: readonly PathElement[],
): ListElement[] | undefined {
  const out: ListElement[] = [];
  const seen = new Set<PathElement>();
  for (const [i, value] of list.entries()) {
    const pe = field.list === 'set' ? valueElement(value) : keyElement(value, field);
    if (typeof pe !== 'string') {
      if (!strict) return undefined;
      throw new ApiError('BadRequest', `${formatPath(where) || '.'}: element ${i}: ${pe.problem}`);
    }
    if (seen.has(pe)) {
      if (!strict) return undefined;
      throw new ApiError(
        'BadRequest',
        `${formatPath(where) || '.'}: duplicate entries for ${formatPath([pe])}`,
      );
    }
    seen.add(pe);
    out.push({ pe, value });
  }
  return out;
}

/** The `k:` path element of an associative-list item, or why it has none. */
export function keyElement(item: unknown, field: ApplyField): PathElement | { problem: string } {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { problem: 'associative list item must be an object' };
  }
  const key: Record<string, unknown> = {};
  for (const name of [...(field.keys ?? [])].sort()) {
    const value = (item as Record<string, unknown>)[name] ?? field.keyDefaults?.[name];
    if (value === undefined || value === null) {
      return { problem: `associative list with keys has an element that omits key field "${name}"` };
    }
    key[name] = value;
  }
  return `k:${JSON.stringify(key)}`;
}

function valueElement(value: unknown): PathElement | { problem: string } {
  if (typeof value === 'object' && value !== null) return { problem: 'set items must be primitives' };
  return `v:${JSON.stringify(value)}`;
}
