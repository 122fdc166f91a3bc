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
  return {
    empty: labels.empty && fields.requirements.length === 0,
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
