import type { apiextensionsv1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { statusSubresource } from '../statusSubresource.js';
import type { Unchecked } from '../validation/Unchecked.js';

type Crd = apiextensionsv1.CustomResourceDefinition;

const split = statusSubresource<Crd>();

function storageVersion(crd: Unchecked<Crd>): string | undefined {
  return crd.spec?.versions?.find((v) => v.storage)?.name;
}

/**
 * The strategy for apiextensions.k8s.io/v1 CustomResourceDefinitions: only the status split and
 * `status.storedVersions` bookkeeping (the storage version is recorded on create and whenever it
 * changes). Validation of the definition itself belongs to the registry's CRD support.
 */
export const crdStrategy: Strategy<Crd> = {
  ...split,
  prepareForCreate(crd) {
    split.prepareForCreate(crd);
    const storage = storageVersion(crd);
    if (storage) crd.status = { storedVersions: [storage] };
  },
  prepareForUpdate(crd, old) {
    split.prepareForUpdate(crd, old);
    const storage = storageVersion(crd);
    if (!storage) return;
    const status = (crd.status ??= {});
    const stored = (status.storedVersions ??= []);
    if (!stored.includes(storage)) stored.push(storage);
  },
  specOf: (crd) => crd.spec,
};
