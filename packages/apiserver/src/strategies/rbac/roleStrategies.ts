import type { StatusCause, rbacv1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { FieldPath } from '../validation/FieldPath.js';
import { validateLabelSelector } from '../validation/labelSelector.js';
import { validateMeta } from '../validation/validateMeta.js';
import { validatePolicyRule } from './validatePolicyRule.js';
import type { Unchecked } from '../validation/Unchecked.js';

function validateRole(role: Unchecked<rbacv1.Role | rbacv1.ClusterRole>, namespaced: boolean): StatusCause[] {
  const causes = validateMeta(role.metadata, 'pathSegmentName');
  for (const [i, rule] of (role.rules ?? []).entries()) {
    causes.push(...validatePolicyRule(rule, namespaced, FieldPath.of('rules').index(i)));
  }
  const aggregation = 'aggregationRule' in role ? role.aggregationRule : undefined;
  for (const [i, sel] of (aggregation?.clusterRoleSelectors ?? []).entries()) {
    causes.push(
      ...validateLabelSelector(sel, FieldPath.of('aggregationRule', 'clusterRoleSelectors').index(i)),
    );
  }
  return causes;
}

/** The strategy for rbac.authorization.k8s.io/v1 Roles: every rule has verbs, groups and resources; no non-resource URLs. */
export const roleStrategy: Strategy<rbacv1.Role> = {
  validate: (role) => validateRole(role, true),
  validateUpdate: (role) => validateRole(role, true),
};

/** The strategy for rbac.authorization.k8s.io/v1 ClusterRoles: rules cover resources or non-resource URLs. */
export const clusterRoleStrategy: Strategy<rbacv1.ClusterRole> = {
  validate: (role) => validateRole(role, false),
  validateUpdate: (role) => validateRole(role, false),
};
