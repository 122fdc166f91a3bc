import type { StatusCause, rbacv1 } from '@tugboat/core';

import type { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import type { Unchecked } from '../validation/Unchecked.js';

/**
 * Validates one RBAC rule as upstream's `ValidatePolicyRule`: verbs are required; a rule covers
 * either non-resource URLs (cluster roles only) or API groups and resources.
 */
export function validatePolicyRule(
  rule: Unchecked<rbacv1.PolicyRule>,
  namespaced: boolean,
  path: FieldPath,
): StatusCause[] {
  const causes: StatusCause[] = [];
  if ((rule.verbs ?? []).length === 0)
    causes.push(fieldError.required(path.child('verbs'), 'verbs must contain at least one value'));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (namespaced) {
      causes.push(
        fieldError.invalid(
          path.child('nonResourceURLs'),
          urls,
          'namespaced rules cannot apply to non-resource URLs',
        ),
      );
    }
    if (
      (rule.apiGroups ?? []).length > 0 ||
      (rule.resources ?? []).length > 0 ||
      (rule.resourceNames ?? []).length > 0
    ) {
      causes.push(
        fieldError.invalid(
          path.child('nonResourceURLs'),
          urls,
          'rules cannot apply to both regular resources and non-resource URLs',
        ),
      );
    }
    return causes;
  }
  if ((rule.apiGroups ?? []).length === 0) {
    causes.push(
      fieldError.required(path.child('apiGroups'), 'resource rules must supply at least one api group'),
    );
  }
  if ((rule.resources ?? []).length === 0) {
    causes.push(
      fieldError.required(path.child('resources'), 'resource rules must supply at least one resource'),
    );
  }
  return causes;
}
