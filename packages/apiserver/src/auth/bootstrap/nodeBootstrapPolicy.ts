import { ApiError, resources, type ApiClient, type rbacv1 } from '@tugboat/core';

import { nodesGroup } from '../users.js';
import { bootstrappersGroup } from './bootstrapToken.js';

/** The ClusterRole that lets a joining node request its client certificate. */
export const nodeBootstrapperRole = 'system:node-bootstrapper';

/**
 * The RBAC objects of node bootstrapping, as kubeadm's: ClusterRole `system:node-bootstrapper`
 * (create and read CertificateSigningRequests), bound to `system:bootstrappers` (token users
 * joining) and to `system:nodes` (nodes renewing their own certificate).
 */
export function nodeBootstrapPolicy(): {
  roles: rbacv1.ClusterRole[];
  bindings: rbacv1.ClusterRoleBinding[];
} {
  const role: rbacv1.ClusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: nodeBootstrapperRole, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    rules: [
      {
        apiGroups: ['certificates.k8s.io'],
        resources: ['certificatesigningrequests'],
        verbs: ['create', 'get', 'list', 'watch'],
      },
    ],
  };
  const binding = (name: string, group: string): rbacv1.ClusterRoleBinding => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: nodeBootstrapperRole },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
  });
  return {
    roles: [role],
    bindings: [
      binding('tugboat:kubelet-bootstrap', bootstrappersGroup),
      binding('tugboat:node-certificate-rotation', nodesGroup),
    ],
  };
}

/** Creates the {@link nodeBootstrapPolicy} objects that do not exist yet; returns the names created. */
export async function ensureNodeBootstrapPolicy(client: ApiClient): Promise<string[]> {
  const created: string[] = [];
  const { roles, bindings } = nodeBootstrapPolicy();
  const ensure = async (create: () => Promise<unknown>, name: string): Promise<void> => {
    try {
      await create();
      created.push(name);
    } catch (err) {
      if (!ApiError.is(err, 'AlreadyExists')) throw err;
    }
  };
  for (const r of roles)
    await ensure(() => client.create(resources.ClusterRoles, r), `clusterroles/${r.metadata?.name}`);
  for (const b of bindings)
    await ensure(
      () => client.create(resources.ClusterRoleBindings, b),
      `clusterrolebindings/${b.metadata?.name}`,
    );
  return created;
}
