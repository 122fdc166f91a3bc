import type { OwnerReference } from 'kubernetes-types/meta/v1.js';

import type { KubeObject } from './KubeObject.js';
import { apiVersionOf } from './ResourceDefinition.js';

/**
 * An `OwnerReference` pointing at `owner`, whose group, version and kind come from its resource
 * definition (objects read from the API may lack `apiVersion`/`kind`).
 */
export function ownerReferenceTo(
  owner: KubeObject,
  def: { readonly group: string; readonly version: string; readonly kind: string },
  options: { readonly controller?: boolean; readonly blockOwnerDeletion?: boolean } = {},
): OwnerReference {
  const ref: OwnerReference = {
    apiVersion: apiVersionOf(def),
    kind: def.kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
  };
  if (options.controller !== undefined) ref.controller = options.controller;
  if (options.blockOwnerDeletion !== undefined) ref.blockOwnerDeletion = options.blockOwnerDeletion;
  return ref;
}

/** The owner reference with `controller: true`, if the object has one. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}
