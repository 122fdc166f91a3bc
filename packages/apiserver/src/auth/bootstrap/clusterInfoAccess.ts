import type { IncomingMessage } from 'node:http';

import { ApiError, resources, type ApiClient, type rbacv1 } from '@tugboat/core';

import type { Authenticator } from '../../http/hooks.js';
import type { UserInfo } from '../../registry/RequestContext.js';
import { allUnauthenticated, anonymousUser } from '../users.js';

/** The one path a request without credentials may read: the `kube-public/cluster-info` ConfigMap. */
export const clusterInfoPath = '/api/v1/namespaces/kube-public/configmaps/cluster-info';
/** The Role and RoleBinding (in `kube-public`) that let anonymous users read `cluster-info`, as kubeadm names them. */
export const clusterInfoRole = 'kubeadm:bootstrap-signer-clusterinfo';

/**
 * A request {@link Authenticator} that lets exactly one kind of request through without
 * credentials: a GET of {@link clusterInfoPath}, identified as `system:anonymous` in
 * `system:unauthenticated` so RBAC (the {@link clusterInfoAccessPolicy} Role) decides. Every other
 * request goes to `inner` unchanged, and one without credentials stays 401: anonymous access is
 * not opened to anything else.
 */
export class ClusterInfoAnonymousAuthenticator implements Authenticator {
  constructor(private readonly inner: Authenticator) {}

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const user = await this.inner.authenticate(req);
    if (user !== undefined) return user;
    const path = (req.url ?? '').split('?')[0]?.replace(/\/+$/, '');
    if ((req.method === 'GET' || req.method === 'HEAD') && path === clusterInfoPath)
      return { name: anonymousUser, groups: [allUnauthenticated] };
    return undefined;
  }
}

/** The Role and RoleBinding in `kube-public` letting `system:anonymous` get the `cluster-info` ConfigMap. */
export function clusterInfoAccessPolicy(): { role: rbacv1.Role; binding: rbacv1.RoleBinding } {
  const metadata = { name: clusterInfoRole, namespace: 'kube-public' };
  return {
    role: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [
        { apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'], verbs: ['get'] },
      ],
    },
    binding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: clusterInfoRole },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: anonymousUser }],
    },
  };
}

/** Creates the {@link clusterInfoAccessPolicy} objects when absent. */
export async function ensureClusterInfoAccess(client: ApiClient): Promise<void> {
  const { role, binding } = clusterInfoAccessPolicy();
  const ns = { namespace: 'kube-public' };
  for (const create of [
    () => client.create(resources.Roles, role, ns),
    () => client.create(resources.RoleBindings, binding, ns),
  ]) {
    try {
      await create();
    } catch (err) {
      if (!ApiError.is(err, 'AlreadyExists')) throw err;
    }
  }
}
