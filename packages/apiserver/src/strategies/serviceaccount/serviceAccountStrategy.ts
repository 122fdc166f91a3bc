import type { StatusCause, corev1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { validateMeta } from '../validation/validateMeta.js';
import type { Unchecked } from '../validation/Unchecked.js';

function validateServiceAccount(sa: Unchecked<corev1.ServiceAccount>): StatusCause[] {
  const causes = validateMeta(sa.metadata, 'dns1123Subdomain');
  for (const [i, ref] of (sa.imagePullSecrets ?? []).entries()) {
    causes.push(
      ...checks.format(
        ref.name || undefined,
        'dns1123Subdomain',
        FieldPath.of('imagePullSecrets').index(i).child('name'),
      ),
    );
  }
  return causes;
}

/** The strategy for core/v1 ServiceAccounts: names and image pull secret references. */
export const serviceAccountStrategy: Strategy<corev1.ServiceAccount> = {
  validate: (sa) => validateServiceAccount(sa),
  validateUpdate: (sa) => validateServiceAccount(sa),
};
