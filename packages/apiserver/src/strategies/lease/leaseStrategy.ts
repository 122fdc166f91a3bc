import type { StatusCause, coordinationv1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { validateMeta } from '../validation/validateMeta.js';
import type { Unchecked } from '../validation/Unchecked.js';

function validateLease(lease: Unchecked<coordinationv1.Lease>): StatusCause[] {
  const causes = validateMeta(lease.metadata, 'dns1123Subdomain');
  const spec = FieldPath.of('spec');
  causes.push(...checks.positive(lease.spec?.leaseDurationSeconds, spec.child('leaseDurationSeconds')));
  causes.push(...checks.atLeast(lease.spec?.leaseTransitions, 0, spec.child('leaseTransitions')));
  return causes;
}

/** The strategy for coordination.k8s.io/v1 Leases: positive duration, non-negative transitions. */
export const leaseStrategy: Strategy<coordinationv1.Lease> = {
  validate: (lease) => validateLease(lease),
  validateUpdate: (lease) => validateLease(lease),
};
