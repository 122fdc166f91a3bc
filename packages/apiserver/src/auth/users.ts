import type { UserInfo } from '../registry/RequestContext.js';

/** The group every authenticated user is in. */
export const allAuthenticated = 'system:authenticated';
/** The group of anonymous requests. */
export const allUnauthenticated = 'system:unauthenticated';
/** The user name of anonymous requests. */
export const anonymousUser = 'system:anonymous';
/** The group whose members every authorizer lets through, as upstream's privileged group. */
export const systemMasters = 'system:masters';
/** The group of every ServiceAccount. */
export const allServiceAccounts = 'system:serviceaccounts';
/** The group of node agents; each is user `system:node:<name>`. */
export const nodesGroup = 'system:nodes';

const saPrefix = 'system:serviceaccount:';

/** The user name of a ServiceAccount: `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${saPrefix}${namespace}:${name}`;
}

/** The namespace and name of a ServiceAccount user name; `undefined` for other users. */
export function parseServiceAccountUsername(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(saPrefix)) return undefined;
  const [namespace, name, ...rest] = user.slice(saPrefix.length).split(':');
  if (!namespace || !name || rest.length > 0) return undefined;
  return { namespace, name };
}

/** The groups of a ServiceAccount in `namespace`. */
export function serviceAccountGroups(namespace: string): string[] {
  return [allServiceAccounts, `${allServiceAccounts}:${namespace}`];
}

/** The node name of a node agent's identity (user `system:node:<name>` in `system:nodes`). */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.groups.includes(nodesGroup) || !user.name.startsWith('system:node:')) return undefined;
  const name = user.name.slice('system:node:'.length);
  return name === '' ? undefined : name;
}

/** The user with `system:authenticated` added to its groups (once). */
export function withAuthenticated(user: UserInfo): UserInfo {
  return user.groups.includes(allAuthenticated)
    ? user
    : { ...user, groups: [...user.groups, allAuthenticated] };
}
