import type { apiextensionsv1, ResourceRef } from '@tugboat/core';

/**
 * The resource a CustomResourceDefinition serves at its storage version (or first served one), or
 * undefined when it serves none: what controllers use to list, watch and delete custom objects.
 */
export function crdResource(crd: apiextensionsv1.CustomResourceDefinition): ResourceRef | undefined {
  const spec = crd.spec;
  const version = spec.versions.find((v) => v.storage && v.served) ?? spec.versions.find((v) => v.served);
  if (version === undefined) return undefined;
  return {
    group: spec.group,
    version: version.name,
    kind: spec.names.kind,
    plural: spec.names.plural,
    namespaced: spec.scope === 'Namespaced',
  };
}

/** `group/version/plural`: the identity of a resource in maps and requests. */
export const resourceId = (r: Pick<ResourceRef, 'group' | 'version' | 'plural'>): string =>
  `${r.group}/${r.version}/${r.plural}`;
