import { describe, expect, it } from '@jest/globals';
import { resources, type rbacv1 } from '@tugboat/core';

import {
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  RbacAuthorizer,
  type AuthorizationAttributes,
  type RbacSource,
  type UserInfo,
} from '../../src/index.js';
import { res, url } from './attributes.js';
import { eventually, startSecuredServer } from './securityHarness.js';

/** The bootstrap policy as a fixed source. */
function bootstrapSource(extra: { bindings?: rbacv1.RoleBinding[]; roles?: rbacv1.Role[] } = {}): RbacSource {
  const roles = bootstrapClusterRoles();
  return {
    clusterRoleBindings: () => bootstrapClusterRoleBindings(),
    roleBindings: (ns) => (extra.bindings ?? []).filter((b) => b.metadata?.namespace === ns),
    clusterRole: (name) => roles.find((r) => r.metadata?.name === name),
    role: (ns, name) =>
      (extra.roles ?? []).find((r) => r.metadata?.namespace === ns && r.metadata.name === name),
  };
}

function binding(
  ns: string,
  role: string,
  kind: 'Role' | 'ClusterRole',
  subject: rbacv1.Subject,
): rbacv1.RoleBinding {
  return {
    metadata: { name: `${role}-b`, namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
    subjects: [subject],
  };
}

describe('RbacAuthorizer with the default policy', () => {
  const authz = new RbacAuthorizer(
    bootstrapSource({
      bindings: [
        binding('team', 'view', 'ClusterRole', { kind: 'User', name: 'viewer' }),
        binding('team', 'edit', 'ClusterRole', { kind: 'Group', name: 'editors' }),
        binding('team', 'admin', 'ClusterRole', { kind: 'User', name: 'boss' }),
        binding('team', 'cm-reader', 'Role', { kind: 'ServiceAccount', name: 'bot' }),
      ],
      roles: [
        {
          metadata: { name: 'cm-reader', namespace: 'team' },
          rules: [
            { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] },
          ],
        },
      ],
    }),
  );
  const as = (name: string, groups: string[] = []): UserInfo => ({
    name,
    groups: [...groups, 'system:authenticated'],
  });
  const ask = async (user: UserInfo, a: Partial<AuthorizationAttributes>): Promise<boolean> =>
    (await authz.authorize({ ...res('get', 'pods'), ...a, user })).allowed;

  it.each([
    [
      'view reads pods in its namespace',
      as('viewer'),
      { verb: 'list', resource: 'pods', namespace: 'team' },
      true,
    ],
    [
      'view reads nothing elsewhere',
      as('viewer'),
      { verb: 'list', resource: 'pods', namespace: 'other' },
      false,
    ],
    [
      'view cannot read secrets',
      as('viewer'),
      { verb: 'get', resource: 'secrets', namespace: 'team', name: 's' },
      false,
    ],
    ['view cannot write', as('viewer'), { verb: 'create', resource: 'pods', namespace: 'team' }, false],
    [
      'edit writes deployments',
      as('e', ['editors']),
      { verb: 'patch', resource: 'deployments', apiGroup: 'apps', namespace: 'team', name: 'd' },
      true,
    ],
    [
      'edit reads secrets',
      as('e', ['editors']),
      { verb: 'get', resource: 'secrets', namespace: 'team', name: 's' },
      true,
    ],
    [
      'edit execs into pods',
      as('e', ['editors']),
      { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'team', name: 'p' },
      true,
    ],
    [
      'edit cannot touch roles',
      as('e', ['editors']),
      { verb: 'create', resource: 'roles', apiGroup: 'rbac.authorization.k8s.io', namespace: 'team' },
      false,
    ],
    [
      'admin manages roles',
      as('boss'),
      { verb: 'create', resource: 'rolebindings', apiGroup: 'rbac.authorization.k8s.io', namespace: 'team' },
      true,
    ],
    [
      'a Role with resourceNames allows that name',
      as('system:serviceaccount:team:bot'),
      { verb: 'get', resource: 'configmaps', namespace: 'team', name: 'settings' },
      true,
    ],
    [
      '…and no other',
      as('system:serviceaccount:team:bot'),
      { verb: 'get', resource: 'configmaps', namespace: 'team', name: 'other' },
      false,
    ],
    [
      'every authenticated user may review itself',
      as('nobody'),
      { verb: 'create', resource: 'selfsubjectaccessreviews', apiGroup: 'authorization.k8s.io' },
      true,
    ],
    [
      'the scheduler binds pods',
      as('system:kube-scheduler'),
      { verb: 'create', resource: 'pods', subresource: 'binding', namespace: 'x', name: 'p' },
      true,
    ],
    [
      'the scheduler cannot read secrets',
      as('system:kube-scheduler'),
      { verb: 'get', resource: 'secrets', namespace: 'x', name: 's' },
      false,
    ],
    [
      'the controller manager writes replicasets',
      as('system:kube-controller-manager'),
      { verb: 'create', resource: 'replicasets', apiGroup: 'apps', namespace: 'x' },
      true,
    ],
    [
      'kube-proxy watches endpointslices',
      as('system:kube-proxy'),
      { verb: 'watch', resource: 'endpointslices', apiGroup: 'discovery.k8s.io' },
      true,
    ],
  ] as [string, UserInfo, Partial<AuthorizationAttributes>, boolean][])(
    '%s',
    async (_name, user, a, allowed) => {
      expect(await ask(user, a)).toBe(allowed);
    },
  );

  it.each([
    ['/api', true],
    ['/apis/apps/v1', true],
    ['/openapi/v3/api/v1', true],
    ['/version', true],
    ['/healthz', true],
    ['/metrics', false],
  ])('an authenticated user may get %s: %s', async (path, allowed) => {
    expect((await authz.authorize({ ...url('get', path), user: as('nobody') })).allowed).toBe(allowed);
  });

  it('anonymous users may read only the public health and version paths', async () => {
    const anon: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    expect((await authz.authorize({ ...url('get', '/healthz'), user: anon })).allowed).toBe(true);
    expect((await authz.authorize({ ...url('get', '/api'), user: anon })).allowed).toBe(false);
  });
});

describe('RBAC kept by watching the registry', () => {
  it('sees a new RoleBinding, and its deletion, as soon as the watch delivers them', async () => {
    const s = await startSecuredServer();
    try {
      const attrs = {
        ...res('list', 'pods', { namespace: 'default' }),
        user: { name: 'dana', groups: ['system:authenticated'] },
      };
      expect((await s.security.authorizer.authorize(attrs)).allowed).toBe(false);
      await s.client.create(
        resources.RoleBindings,
        binding('default', 'view', 'ClusterRole', { kind: 'User', name: 'dana' }),
      );
      await eventually(async () => (await s.security.authorizer.authorize(attrs)).allowed);
      await s.client.delete(resources.RoleBindings, 'view-b', { namespace: 'default' });
      await eventually(async () => !(await s.security.authorizer.authorize(attrs)).allowed);
    } finally {
      await s.close();
    }
  });
});
