import type { Schema } from './generateSchemas.js';

/**
 * The paths of fields in `value` that `schema` does not declare (`spec.containers[0].foo`),
 * following `$ref`/`allOf` through `schemas`; maps, int-or-string and preserve-unknown-fields
 * nodes accept anything below them.
 */
export function unknownFields(
  value: unknown,
  schema: Schema,
  schemas: ReadonlyMap<string, Schema>,
  path = '',
): string[] {
  const resolved = resolve(schema, schemas);
  if (resolved === undefined || value === null || typeof value !== 'object') return [];
  if (resolved['x-kubernetes-preserve-unknown-fields'] === true) return [];
  if (Array.isArray(value)) {
    const items = resolved['items'] as Schema | undefined;
    if (items === undefined) return [];
    return value.flatMap((v, i) => unknownFields(v, items, schemas, `${path}[${i}]`));
  }
  const props = resolved['properties'] as Record<string, Schema> | undefined;
  const additional = resolved['additionalProperties'] as Schema | undefined;
  const out: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    const childSchema = props?.[key] ?? additional;
    if (childSchema === undefined) {
      if (props !== undefined) out.push(childPath);
      continue;
    }
    out.push(...unknownFields(child, childSchema, schemas, childPath));
  }
  return out;
}

function resolve(schema: Schema, schemas: ReadonlyMap<string, Schema>): Schema | undefined {
  let cur: Schema | undefined = schema;
  for (let depth = 0; cur !== undefined && depth < 10; depth++) {
    const ref = cur['$ref'] as string | undefined;
    const allOf = cur['allOf'] as Schema[] | undefined;
    if (ref !== undefined) cur = schemas.get(ref.replace('#/components/schemas/', ''));
    else if (allOf?.length === 1 && allOf[0] !== undefined) cur = allOf[0];
    else return cur;
  }
  return cur;
}
