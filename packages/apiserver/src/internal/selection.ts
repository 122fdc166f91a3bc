import {
  ApiError,
  fieldValue,
  parseFieldSelector,
  parseLabelSelector,
  type KubeObject,
  type ResourceDefinition,
} from '@tugboat/core';

import type { Strategy } from '../registry/Strategy.js';

/** A compiled label + field selector over stored objects. */
export interface Selection {
  readonly empty: boolean;
  matches(obj: KubeObject): boolean;
  /**
   * A field the selector requires to equal one value (`spec.nodeName=node-1`), and that value:
   * an object whose field holds another value cannot match, which lets a watch fan-out skip it.
   */
  readonly equality?: { readonly field: string; readonly value: string };
  /** The value of a selectable `field` of `obj`, as the selector reads it. */
  readonly fieldOf: (obj: KubeObject, field: string) => string;
}

/**
 * Compiles the `labelSelector` and `fieldSelector` of a list or watch. Field selectors may name
 * `metadata.name`, `metadata.namespace` and the resource's selectable fields; anything else is
 * `BadRequest` `field label not supported: x`, as upstream answers.
 */
export function selection(
  def: ResourceDefinition,
  strategy: Strategy,
  labelSelector?: string,
  fieldSelector?: string,
): Selection {
  const labels = parseLabelSelector(labelSelector ?? '');
  const fields = parseFieldSelector(fieldSelector ?? '');
  const supported = new Set(['metadata.name', 'metadata.namespace', ...def.selectableFields]);
  for (const r of fields.requirements) {
    if (!supported.has(r.field)) throw new ApiError('BadRequest', `field label not supported: ${r.field}`);
  }
  const wanted = fields.requirements.map((r) => r.field);
  const equal = fields.requirements.find((r) => r.operator === '=');
  return {
    empty: labels.empty && fields.requirements.length === 0,
    ...(equal !== undefined ? { equality: { field: equal.field, value: equal.value } } : {}),
    fieldOf: (obj, field) => strategy.fieldsOf?.(obj)[field] ?? fieldValue(obj, field),
    matches(obj: KubeObject): boolean {
      if (!labels.matches(obj.metadata?.labels)) return false;
      if (wanted.length === 0) return true;
      const custom = strategy.fieldsOf?.(obj) ?? {};
      const values: Record<string, string> = {};
      for (const f of wanted) values[f] = custom[f] ?? fieldValue(obj, f);
      return fields.matches(values);
    },
  };
}
