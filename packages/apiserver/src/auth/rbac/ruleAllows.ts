import type { rbacv1 } from '@tugboat/core';

import type { AuthorizationAttributes } from '../../http/hooks.js';
import type { UserInfo } from '../../registry/RequestContext.js';
import { serviceAccountUsername } from '../users.js';

/**
 * True when an RBAC rule allows the request, with upstream's semantics: `*` matches every verb,
 * group, resource or URL; a star, a slash and a subresource name match that subresource of every resource; a
 * non-empty `resourceNames` needs a named request; a non-resource URL rule ending in `*` matches
 * by prefix.
 */
export function ruleAllows(rule: rbacv1.PolicyRule, a: AuthorizationAttributes): boolean {
  if (!matchesAny(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) {
    return (rule.nonResourceURLs ?? []).some(
      (url) => url === '*' || url === a.path || (url.endsWith('*') && a.path.startsWith(url.slice(0, -1))),
    );
  }
  if (!matchesAny(rule.apiGroups ?? [], a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk = (rule.resources ?? []).some(
    (r) =>
      r === '*' ||
      r === combined ||
      (a.subresource !== undefined && a.subresource !== '' && r === `*/${a.subresource}`),
  );
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (a.name !== undefined && a.name !== '' && names.includes(a.name));
}

/** True when a binding subject names the user, one of its groups, or its ServiceAccount. */
export function subjectApplies(subject: rbacv1.Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return ns !== '' && user.name === serviceAccountUsername(ns, subject.name);
    }
    default:
      return false;
  }
}

function matchesAny(values: readonly string[], wanted: string): boolean {
  return values.includes('*') || values.includes(wanted);
}
