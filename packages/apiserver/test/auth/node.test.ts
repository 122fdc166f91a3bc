import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, resources, type corev1 } from '@tugboat/core';

import { InProcessApiClient, type AuthorizationAttributes, type UserInfo } from '../../src/index.js';
import { eventually, startSecuredServer, type SecuredServer } from './securityHarness.js';

const nodeA: UserInfo = { name: 'system:node:node-a', groups: ['system:nodes', 'system:authenticated'] };

function pod(name: string, namespace: string, nodeName?: string): corev1.Pod {
  return {
    metadata: { name, namespace },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox:1.35' }] },
  };
}

describe('Node authorizer and NodeRestriction', () => {
  let s: SecuredServer;
  let asNode: InProcessApiClient;
  beforeAll(async () => {
    s = await startSecuredServer();
    asNode = new InProcessApiClient(s.registry, nodeA);
    await s.client.create(resources.Namespaces, { metadata: { name: 'apps' } });
    await s.client.create(resources.Namespaces, { metadata: { name: 'secretive' } });
    await s.client.create(resources.Pods, pod('mine', 'apps', 'node-a'));
    await s.client.create(resources.Pods, pod('theirs', 'secretive', 'node-b'));
    await s.client.create(resources.Nodes, { metadata: { name: 'node-b' } });
  });
  afterAll(() => s.close());

  const allowed = async (a: Partial<AuthorizationAttributes>, user: UserInfo = nodeA): Promise<boolean> =>
    (
      await s.security.authorizer.authorize({
        user,
        verb: 'get',
        resourceRequest: true,
        apiGroup: '',
        apiVersion: 'v1',
        resource: 'pods',
        path: '',
        ...a,
      })
    ).allowed;

  it('lets a node write only its own Node and its own Lease', async () => {
    expect(await allowed({ verb: 'update', resource: 'nodes', name: 'node-a' })).toBe(true);
    expect(await allowed({ verb: 'patch', resource: 'nodes', subresource: 'status', name: 'node-a' })).toBe(
      true,
    );
    expect(await allowed({ verb: 'patch', resource: 'nodes', subresource: 'status', name: 'node-b' })).toBe(
      false,
    );
    expect(await allowed({ verb: 'delete', resource: 'nodes', name: 'node-b' })).toBe(false);
    expect(
      await allowed({
        verb: 'update',
        apiGroup: 'coordination.k8s.io',
        resource: 'leases',
        namespace: 'kube-node-lease',
        name: 'node-a',
      }),
    ).toBe(true);
    expect(
      await allowed({
        verb: 'update',
        apiGroup: 'coordination.k8s.io',
        resource: 'leases',
        namespace: 'kube-node-lease',
        name: 'node-b',
      }),
    ).toBe(false);
    expect(
      await allowed({
        verb: 'update',
        apiGroup: 'coordination.k8s.io',
        resource: 'leases',
        namespace: 'kube-system',
        name: 'node-a',
      }),
    ).toBe(false);
  });

  it('lets a node read what its pods need and nothing else', async () => {
    await eventually(() => allowed({ verb: 'get', resource: 'secrets', namespace: 'apps', name: 'x' }));
    expect(await allowed({ verb: 'get', resource: 'configmaps', namespace: 'apps', name: 'x' })).toBe(true);
    expect(await allowed({ verb: 'get', resource: 'secrets', namespace: 'secretive', name: 'x' })).toBe(
      false,
    );
    expect(await allowed({ verb: 'list', resource: 'secrets' })).toBe(false);
    expect(
      await allowed({
        verb: 'create',
        resource: 'serviceaccounts',
        subresource: 'token',
        namespace: 'apps',
        name: 'default',
      }),
    ).toBe(true);
    expect(
      await allowed({
        verb: 'create',
        resource: 'serviceaccounts',
        subresource: 'token',
        namespace: 'secretive',
        name: 'default',
      }),
    ).toBe(false);
    expect(await allowed({ verb: 'watch', resource: 'pods' })).toBe(true);
    expect(await allowed({ verb: 'create', resource: 'events', namespace: 'apps' })).toBe(true);
    expect(
      await allowed({ verb: 'create', resource: 'deployments', apiGroup: 'apps', namespace: 'apps' }),
    ).toBe(false);
  });

  it('gives no node rights to users outside system:nodes', async () => {
    const impostor: UserInfo = { name: 'system:node:node-a', groups: ['system:authenticated'] };
    expect(await allowed({ verb: 'update', resource: 'nodes', name: 'node-a' }, impostor)).toBe(false);
  });

  it('admits node writes only to the node itself and its own pods', async () => {
    await asNode.create(resources.Nodes, { metadata: { name: 'node-a' } });
    await expectForbidden(asNode.create(resources.Nodes, { metadata: { name: 'node-c' } }));
    await asNode.create(resources.Leases, {
      metadata: { name: 'node-a', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'node-a' },
    });
    await expectForbidden(
      asNode.create(resources.Leases, {
        metadata: { name: 'node-b', namespace: 'kube-node-lease' },
        spec: {},
      }),
    );
    await expectForbidden(
      asNode.patch(resources.Nodes, 'node-b', 'merge', { metadata: { labels: { x: 'y' } } }),
    );

    await asNode.patch(
      resources.Pods,
      'mine',
      'merge',
      { status: { phase: 'Running' } },
      { namespace: 'apps', subresource: 'status' },
    );
    await expectForbidden(
      asNode.patch(
        resources.Pods,
        'theirs',
        'merge',
        { status: { phase: 'Running' } },
        { namespace: 'secretive', subresource: 'status' },
      ),
    );
    await expectForbidden(
      asNode.patch(
        resources.Pods,
        'mine',
        'merge',
        { metadata: { labels: { x: 'y' } } },
        { namespace: 'apps' },
      ),
    );
    await expectForbidden(asNode.create(resources.Pods, pod('plain', 'apps', 'node-a')));
    const mirror = pod('mirror', 'apps', 'node-a');
    mirror.metadata = { ...mirror.metadata, annotations: { 'kubernetes.io/config.mirror': 'hash' } };
    await asNode.create(resources.Pods, mirror);
    await expectForbidden(
      asNode.delete(resources.Pods, 'theirs', { namespace: 'secretive', gracePeriodSeconds: 0 }),
    );
    await asNode.delete(resources.Pods, 'mirror', { namespace: 'apps', gracePeriodSeconds: 0 });
  });
});

async function expectForbidden(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ApiError.is(err, 'Forbidden')).toBe(true);
}
