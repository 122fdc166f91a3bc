import type { rbacv1 } from '@tugboat/core';

import type { AuthorizationAttributes, AuthorizationDecision, Authorizer } from '../../http/hooks.js';
import type { UserInfo } from '../../registry/RequestContext.js';
import { ruleAllows, subjectApplies } from './ruleAllows.js';

/** Where the {@link RbacAuthorizer} reads roles and bindings from (a watch-fed cache, or fixed data in tests). */
export interface RbacSource {
  clusterRoleBindings(): readonly rbacv1.ClusterRoleBinding[];
  roleBindings(namespace: string): readonly rbacv1.RoleBinding[];
  clusterRole(name: string): rbacv1.ClusterRole | undefined;
  role(namespace: string, name: string): rbacv1.Role | undefined;
}

/**
 * The RBAC {@link Authorizer}, as upstream's: a request is allowed when a ClusterRoleBinding, or a
 * RoleBinding in the request's namespace, binds a role with a rule allowing it to a subject that
 * is the user, one of its groups or its ServiceAccount. Anything else is denied without a reason
 * (no opinion), so a union of authorizers may still allow it.
 */
export class RbacAuthorizer implements Authorizer {
  constructor(private readonly source: RbacSource) {}

  authorize(a: AuthorizationAttributes): Promise<AuthorizationDecision> {
    for (const binding of this.source.clusterRoleBindings()) {
      if (!(binding.subjects ?? []).some((s) => subjectApplies(s, a.user, ''))) continue;
      if (binding.roleRef.kind !== 'ClusterRole') continue;
      if (this.rulesAllow(this.source.clusterRole(binding.roleRef.name)?.rules, a)) {
        return Promise.resolve({
          allowed: true,
          reason: `RBAC: allowed by ClusterRoleBinding "${binding.metadata?.name ?? ''}"`,
        });
      }
    }
    const ns = a.namespace;
    if (ns !== undefined && ns !== '') {
      for (const binding of this.source.roleBindings(ns)) {
        if (!(binding.subjects ?? []).some((s) => subjectApplies(s, a.user, ns))) continue;
        const ref = binding.roleRef;
        const rules =
          ref.kind === 'ClusterRole'
            ? this.source.clusterRole(ref.name)?.rules
            : ref.kind === 'Role'
              ? this.source.role(ns, ref.name)?.rules
              : undefined;
        if (this.rulesAllow(rules, a)) {
          return Promise.resolve({
            allowed: true,
            reason: `RBAC: allowed by RoleBinding "${binding.metadata?.name ?? ''}/${ns}"`,
          });
        }
      }
    }
    return Promise.resolve({ allowed: false });
  }

  /**
   * Every rule that applies to the user in `namespace` (cluster-wide bindings included), as
   * upstream's `RulesFor`: what a SelfSubjectRulesReview reports.
   */
  rulesFor(user: UserInfo, namespace: string): rbacv1.PolicyRule[] {
    const rules: rbacv1.PolicyRule[] = [];
    for (const binding of this.source.clusterRoleBindings()) {
      if (
        binding.roleRef.kind !== 'ClusterRole' ||
        !(binding.subjects ?? []).some((s) => subjectApplies(s, user, ''))
      )
        continue;
      rules.push(...(this.source.clusterRole(binding.roleRef.name)?.rules ?? []));
    }
    if (namespace !== '') {
      for (const binding of this.source.roleBindings(namespace)) {
        if (!(binding.subjects ?? []).some((s) => subjectApplies(s, user, namespace))) continue;
        const ref = binding.roleRef;
        const role =
          ref.kind === 'ClusterRole'
            ? this.source.clusterRole(ref.name)
            : ref.kind === 'Role'
              ? this.source.role(namespace, ref.name)
              : undefined;
        rules.push(...(role?.rules ?? []));
      }
    }
    return rules;
  }

  private rulesAllow(rules: readonly rbacv1.PolicyRule[] | undefined, a: AuthorizationAttributes): boolean {
    return (rules ?? []).some((rule) => ruleAllows(rule, a));
  }
}
