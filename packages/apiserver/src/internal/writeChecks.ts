import {
  ApiError,
  apiVersionOf,
  errors,
  type KubeObject,
  type ResourceDefinition,
  type StatusCause,
} from '@tugboat/core';

/** Rejects a body that is not an object or names another kind or API version. */
export function checkKind(def: ResourceDefinition, body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError('BadRequest', 'the request body must be a JSON object');
  const { kind, apiVersion } = body as { kind?: unknown; apiVersion?: unknown };
  if (kind !== undefined && kind !== def.kind) {
    throw new ApiError(
      'BadRequest',
      `the kind in the data (${JSON.stringify(kind)}) does not match the expected kind (${def.kind})`,
    );
  }
  if (apiVersion !== undefined && apiVersion !== apiVersionOf(def)) {
    throw new ApiError(
      'BadRequest',
      `the API version in the data (${JSON.stringify(apiVersion)}) does not match the expected API version (${apiVersionOf(def)})`,
    );
  }
}

/** The strategy context of a request. */
export function context(
  namespace: string | undefined,
  subresource?: string,
): { namespace?: string; subresource?: string } {
  return {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}

/**
 * Joins generic causes (metadata) with the strategy's: a generic cause is dropped when the strategy
 * already reported that field, so one bad field is listed once.
 */
export function merge(generic: StatusCause[], specific: StatusCause[]): StatusCause[] {
  const fields = new Set(specific.map((c) => c.field));
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  for (const c of [...generic.filter((g) => !fields.has(g.field)), ...specific]) {
    const key = `${c.field ?? ''}\u0000${c.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

/** The `Invalid` error for an object, listing every cause. */
export function invalid(def: ResourceDefinition, obj: KubeObject, causes: StatusCause[]): ApiError {
  return errors.invalid(def.kind, obj.metadata?.name ?? obj.metadata?.generateName ?? '', causes, def.group);
}
