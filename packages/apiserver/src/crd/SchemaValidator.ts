import { ApiError, type StatusCause } from '@tugboat/core';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

import { pruneUnknownFields } from './pruneUnknownFields.js';
import { toJsonSchema, type SchemaNode } from './toJsonSchema.js';

// One shared instance: compiled validators are cached per schema object.
const ajv = new Ajv({
  allErrors: true,
  strict: false,
  useDefaults: true,
  validateFormats: false,
  validateSchema: true,
  verbose: true,
});

/**
 * Validates custom objects against one CRD version's `openAPIV3Schema`: applies schema defaults,
 * prunes unknown fields, and reports every violation as a `StatusCause` with its field path.
 */
export class SchemaValidator {
  private readonly validateFn: ValidateFunction;

  /** Compiles the schema; an unusable schema is `Invalid` at `field`. */
  constructor(
    private readonly schema: SchemaNode,
    field = 'schema.openAPIV3Schema',
  ) {
    try {
      this.validateFn = ajv.compile(toJsonSchema(schema));
    } catch (err) {
      throw new ApiError('Invalid', `${field}: Invalid value: ${(err as Error).message}`, {
        causes: [{ reason: 'FieldValueInvalid', field, message: `Invalid value: ${(err as Error).message}` }],
      });
    }
  }

  /** Removes fields the schema does not know, in place; returns their paths. */
  prune(obj: object): string[] {
    return pruneUnknownFields(obj, this.schema);
  }

  /** Fills schema defaults in place (where the parent object exists), ignoring violations. */
  applyDefaults(obj: object): void {
    this.run(obj);
  }

  /** Every schema violation of `obj`, as upstream words them. */
  validate(obj: object): StatusCause[] {
    return this.run(obj).map(toCause);
  }

  private run(obj: object): ErrorObject[] {
    const body: Record<string, unknown> = { ...(obj as Record<string, unknown>) };
    delete body['apiVersion'];
    delete body['kind'];
    delete body['metadata'];
    const ok = this.validateFn(body);
    // Defaults added at the top level land on the copy; carry them back.
    for (const [k, v] of Object.entries(body)) (obj as Record<string, unknown>)[k] = v;
    return ok ? [] : [...(this.validateFn.errors ?? [])];
  }
}

function toCause(e: ErrorObject): StatusCause {
  const base = fieldPath(e.instancePath);
  const json = JSON.stringify(e.data) as string | undefined;
  switch (e.keyword) {
    case 'required': {
      const field = join(base, (e.params as { missingProperty: string }).missingProperty);
      return { reason: 'FieldValueRequired', field, message: 'Required value' };
    }
    case 'type': {
      const actual = e.data === null ? 'null' : Array.isArray(e.data) ? 'array' : typeof e.data;
      const wanted = String((e.params as { type: string | string[] }).type);
      return {
        reason: 'FieldValueTypeInvalid',
        field: base,
        message: `Invalid value: ${JSON.stringify(actual)}: ${base || 'body'} in body must be of type ${wanted}: ${JSON.stringify(actual)}`,
      };
    }
    case 'enum': {
      const allowed = ((e.params as { allowedValues?: unknown[] }).allowedValues ?? [])
        .map((v) => JSON.stringify(v))
        .join(', ');
      return {
        reason: 'FieldValueNotSupported',
        field: base,
        message: `Unsupported value: ${json ?? 'null'}: supported values: ${allowed}`,
      };
    }
    default:
      return {
        reason: 'FieldValueInvalid',
        field: base,
        message: `Invalid value: ${json ?? 'null'}: ${base || 'body'} in body ${e.message ?? 'is invalid'}`,
      };
  }
}

function fieldPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out = /^\d+$/.test(part) ? `${out}[${part}]` : join(out, part);
  }
  return out;
}

function join(base: string, part: string): string {
  return base ? `${base}.${part}` : part;
}
