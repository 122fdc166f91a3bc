import type { policyv1, StatusCause } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { statusSubresource } from '../statusSubresource.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateLabelSelector } from '../validation/labelSelector.js';
import { validateMeta } from '../validation/validateMeta.js';
import type { Unchecked } from '../validation/Unchecked.js';

/** An int-or-string that must be a non-negative integer or a percentage (`50%`, at most 100%). */
function validateIntOrPercent(v: unknown, path: FieldPath): StatusCause[] {
  if (v === undefined) return [];
  if (typeof v === 'number')
    return Number.isInteger(v) && v >= 0
      ? []
      : [fieldError.invalid(path, v, 'must be greater than or equal to 0')];
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (m === null)
      return [
        fieldError.invalid(
          path,
          v,
          "a valid percent string must be a numeric string followed by an ending '%'",
        ),
      ];
    return Number(m[1]) <= 100 ? [] : [fieldError.invalid(path, v, 'must not be greater than 100%')];
  }
  return [fieldError.invalid(path, v, 'must be an integer or a percentage')];
}

function validatePdb(pdb: Unchecked<policyv1.PodDisruptionBudget>): StatusCause[] {
  const causes = validateMeta(pdb.metadata, 'dns1123Subdomain');
  const spec = pdb.spec ?? {};
  const path = FieldPath.of('spec');
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    causes.push(fieldError.invalid(path, spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  causes.push(
    ...validateIntOrPercent(spec.minAvailable, path.child('minAvailable')),
    ...validateIntOrPercent(spec.maxUnavailable, path.child('maxUnavailable')),
    ...validateLabelSelector(spec.selector, path.child('selector')),
  );
  return causes;
}

/** The strategy for policy/v1 PodDisruptionBudgets: a status subresource, and upstream's spec checks. */
export const podDisruptionBudgetStrategy: Strategy<policyv1.PodDisruptionBudget> = {
  ...statusSubresource<policyv1.PodDisruptionBudget>(),
  validate: (pdb) => validatePdb(pdb),
};
