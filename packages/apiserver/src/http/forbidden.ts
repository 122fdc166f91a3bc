import { ApiError } from '@tugboat/core';

import type { AuthorizationAttributes } from './hooks.js';

// Upstream escapes these so a path or name cannot smuggle markup into a message shown in a browser.
const unsafe: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * The `Forbidden` error of a denied request, worded as upstream's `responsewriters.Forbidden`:
 * `deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group
 * "apps" in the namespace "ns"` (the resource is `plural.group` outside the core group; no name for
 * lists; `at the cluster scope` without a namespace), and `forbidden: User "alice" cannot get path
 * "/healthz"` for non-resource URLs. The authorizer's `reason`, when given, follows after `: `.
 */
export function forbiddenError(a: AuthorizationAttributes, reason?: string): ApiError {
  const user = JSON.stringify(a.user.name);
  let why: string;
  if (!a.resourceRequest) {
    why = `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  } else {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const scope = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
    why = `User ${user} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${scope}`;
  }
  why = why.replace(/[&<>]/g, (c) => unsafe[c] ?? c);
  if (reason) why = `${why}: ${reason}`;
  if (!a.resourceRequest || a.resource === '') return new ApiError('Forbidden', `forbidden: ${why}`);
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const what = a.name ? `${qualified} ${JSON.stringify(a.name)}` : qualified;
  return new ApiError('Forbidden', `${what} is forbidden: ${why}`, {
    ...(a.name ? { name: a.name } : {}),
    group: a.apiGroup,
    kind: a.resource,
  });
}
