import type { StatusCause, rbacv1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { semanticEqual } from '../validation/semanticEqual.js';
import { validateMeta } from '../validation/validateMeta.js';
import type { Unchecked } from '../validation/Unchecked.js';

const rbacGroup = 'rbac.authorization.k8s.io';

function defaultBinding(binding: Unchecked<rbacv1.RoleBinding | rbacv1.ClusterRoleBinding>): void {
  if (binding.roleRef && !binding.roleRef.apiGroup) binding.roleRef.apiGroup = rbacGroup;
  for (const s of binding.subjects ?? []) {
    if (s.apiGroup === undefined) s.apiGroup = s.kind === 'ServiceAccount' ? '' : rbacGroup;
  }
}

function validateSubject(s: Unchecked<rbacv1.Subject>, namespaced: boolean, path: FieldPath): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!s.name) causes.push(fieldError.required(path.child('name')));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) causes.push(...checks.format(s.name, 'dns1123Subdomain', path.child('name')));
      if (s.apiGroup) causes.push(fieldError.notSupported(path.child('apiGroup'), s.apiGroup, ['']));
      if (!namespaced && !s.namespace) causes.push(fieldError.required(path.child('namespace')));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== rbacGroup)
        causes.push(fieldError.notSupported(path.child('apiGroup'), s.apiGroup ?? '', [rbacGroup]));
      break;
    case undefined:
    default:
      causes.push(fieldError.notSupported(path.child('kind'), s.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return causes;
}

function validateBinding(
  binding: Unchecked<rbacv1.RoleBinding | rbacv1.ClusterRoleBinding>,
  namespaced: boolean,
): StatusCause[] {
  const causes = validateMeta(binding.metadata, 'pathSegmentName');
  const ref = FieldPath.of('roleRef');
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (binding.roleRef?.apiGroup !== rbacGroup)
    causes.push(fieldError.notSupported(ref.child('apiGroup'), binding.roleRef?.apiGroup ?? '', [rbacGroup]));
  causes.push(...checks.oneOf(binding.roleRef?.kind, kinds, ref.child('kind')));
  if (!binding.roleRef?.kind) causes.push(fieldError.notSupported(ref.child('kind'), '', kinds));
  if (!binding.roleRef?.name) causes.push(fieldError.required(ref.child('name')));
  else causes.push(...checks.format(binding.roleRef.name, 'pathSegmentName', ref.child('name')));
  for (const [i, s] of (binding.subjects ?? []).entries())
    causes.push(...validateSubject(s, namespaced, FieldPath.of('subjects').index(i)));
  return causes;
}

function validateBindingUpdate(
  binding: Unchecked<rbacv1.RoleBinding | rbacv1.ClusterRoleBinding>,
  old: Unchecked<rbacv1.RoleBinding | rbacv1.ClusterRoleBinding>,
  namespaced: boolean,
): StatusCause[] {
  const causes = validateBinding(binding, namespaced);
  if (!semanticEqual(binding.roleRef, old.roleRef))
    causes.push(fieldError.invalid(FieldPath.of('roleRef'), binding.roleRef, 'cannot change roleRef'));
  return causes;
}

/** The strategy for rbac.authorization.k8s.io/v1 RoleBindings: roleRef to a Role or ClusterRole, immutable; valid subjects. */
export const roleBindingStrategy: Strategy<rbacv1.RoleBinding> = {
  applyDefaults: defaultBinding,
  validate: (b) => validateBinding(b, true),
  validateUpdate: (b, old) => validateBindingUpdate(b, old, true),
};

/** The strategy for rbac.authorization.k8s.io/v1 ClusterRoleBindings: roleRef to a ClusterRole, immutable; namespaced service accounts. */
export const clusterRoleBindingStrategy: Strategy<rbacv1.ClusterRoleBinding> = {
  applyDefaults: defaultBinding,
  validate: (b) => validateBinding(b, false),
  validateUpdate: (b, old) => validateBindingUpdate(b, old, false),
};
