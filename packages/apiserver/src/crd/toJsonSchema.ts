/** An OpenAPI v3 schema node as a CRD carries it (`JSONSchemaProps`). */
export type SchemaNode = Record<string, unknown>;

const dropped = new Set([
  'nullable',
  'description',
  'example',
  'externalDocs',
  'title',
  'discriminator',
  'xml',
  'readOnly',
  'writeOnly',
  'deprecated',
  'id',
  '$schema',
  '$ref',
  'definitions',
]);

/**
 * Translates a CRD's structural OpenAPI v3 schema into the JSON Schema (draft-07) ajv validates:
 * `nullable` becomes a `null` type, boolean `exclusiveMinimum`/`exclusiveMaximum` become numeric,
 * `x-kubernetes-int-or-string` accepts integer or string, and other `x-kubernetes-*` and
 * documentation keys are dropped. At the root, `apiVersion`, `kind` and `metadata` are left to the
 * API machinery, as upstream does.
 */
export function toJsonSchema(schema: SchemaNode, root = true): SchemaNode {
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(schema)) {
    if (dropped.has(key) || key.startsWith('x-kubernetes-')) continue;
    switch (key) {
      case 'properties':
      case 'patternProperties':
        out[key] = mapValues(value, (v) => toJsonSchema(v, false));
        break;
      case 'items':
        out[key] = Array.isArray(value)
          ? value.map((v) => toJsonSchema(v as SchemaNode, false))
          : toJsonSchema(value as SchemaNode, false);
        break;
      case 'additionalProperties':
      case 'not':
        out[key] =
          typeof value === 'object' && value !== null ? toJsonSchema(value as SchemaNode, false) : value;
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[key] = (value as SchemaNode[]).map((v) => toJsonSchema(v, false));
        break;
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        if (typeof value === 'number') out[key] = value;
        break;
      default:
        out[key] = value;
    }
  }
  exclusive(schema, out, 'minimum', 'exclusiveMinimum');
  exclusive(schema, out, 'maximum', 'exclusiveMaximum');
  if (schema['x-kubernetes-int-or-string'] === true) {
    delete out['type'];
    out['anyOf'] = [
      { type: 'integer' },
      { type: 'string' },
      ...(schema['nullable'] === true ? [{ type: 'null' }] : []),
    ];
  } else if (schema['nullable'] === true && typeof out['type'] === 'string') {
    out['type'] = [out['type'], 'null'];
    if (Array.isArray(out['enum'])) out['enum'] = [...(out['enum'] as unknown[]), null];
  }
  if (root) {
    const props = out['properties'] as SchemaNode | undefined;
    if (props) for (const k of ['apiVersion', 'kind', 'metadata']) Reflect.deleteProperty(props, k);
    if (Array.isArray(out['required'])) {
      out['required'] = (out['required'] as string[]).filter(
        (k) => !['apiVersion', 'kind', 'metadata'].includes(k),
      );
    }
  }
  return out;
}

function exclusive(schema: SchemaNode, out: SchemaNode, bound: string, flag: string): void {
  if (schema[flag] === true && typeof schema[bound] === 'number') {
    out[flag] = schema[bound];
    Reflect.deleteProperty(out, bound);
  }
}

function mapValues(value: unknown, fn: (v: SchemaNode) => SchemaNode): SchemaNode {
  const out: SchemaNode = {};
  for (const [k, v] of Object.entries((value ?? {}) as Record<string, SchemaNode>)) out[k] = fn(v);
  return out;
}
