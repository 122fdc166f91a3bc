import type { SchemaNode } from './toJsonSchema.js';

/**
 * Removes from `value` (in place) every field its structural schema does not specify, unless
 * `x-kubernetes-preserve-unknown-fields` keeps them, as upstream pruning does. Returns the field
 * paths it removed (`spec.foo`). At the root and in embedded resources, `apiVersion`, `kind` and
 * `metadata` are always kept.
 */
export function pruneUnknownFields(
  value: unknown,
  schema: SchemaNode | undefined,
  path = '',
  root = true,
): string[] {
  const pruned: string[] = [];
  walk(value, schema, path, root, pruned);
  return pruned;
}

function walk(
  value: unknown,
  schema: SchemaNode | undefined,
  path: string,
  keepMeta: boolean,
  pruned: string[],
): void {
  if (schema === undefined || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    const items = schema['items'] as SchemaNode | undefined;
    value.forEach((v, i) => {
      walk(v, items, `${path}[${i}]`, embedded(items), pruned);
    });
    return;
  }
  const obj = value as Record<string, unknown>;
  const props = schema['properties'] as Record<string, SchemaNode> | undefined;
  const additional = schema['additionalProperties'];
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  for (const key of Object.keys(obj)) {
    const child = path ? `${path}.${key}` : key;
    if (keepMeta && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const sub =
      props?.[key] ??
      (typeof additional === 'object' && additional !== null ? (additional as SchemaNode) : undefined);
    if (sub !== undefined) walk(obj[key], sub, child, embedded(sub), pruned);
    else if (!preserve && additional !== true) {
      Reflect.deleteProperty(obj, key);
      pruned.push(child);
    }
  }
}

function embedded(schema: SchemaNode | undefined): boolean {
  return schema?.['x-kubernetes-embedded-resource'] === true;
}
