import { ApiError, builtinResources, type ResourceDefinition } from '@tugboat/core';

import { applyStrategicPatch } from './strategic/applyStrategicPatch.js';
import { builtinPatchSchema, rootTypeOf } from './strategic/patchSchema.js';

/**
 * Applies a Kubernetes strategic merge patch to an object of `def`, using the upstream patch merge
 * keys of the built-in types. Custom resources have no patch metadata, so, as upstream, they refuse
 * it with `UnsupportedMediaType` and clients (kubectl) fall back to a merge patch.
 */
export function strategicMergePatch(original: unknown, patch: unknown, def: ResourceDefinition): unknown {
  const builtin = builtinResources.some((r) => r.group === def.group && r.plural === def.plural);
  if (!builtin) {
    throw new ApiError(
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
    );
  }
  return applyStrategicPatch(original, patch, builtinPatchSchema, rootTypeOf(def.kind));
}
