import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { corev1, Status } from '@tugboat/core';

import type { Scale } from '../src/index.js';
import {
  Deployments,
  Namespaces,
  Pods,
  ReplicaSets,
  deployment,
  newApiserver,
  pod,
  rejection,
} from './harness.js';

describe('subresources', () => {
  let api: Awaited<ReturnType<typeof newApiserver>>;
  beforeEach(async () => {
    api = await newApiserver();
  });
  afterEach(async () => api.close());

  it('binds a pod to a node once, then answers Conflict', async () => {
    await api.client.create(Pods, pod('b'));
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'b', namespace: 'default' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
    };
    const status = await api.client.createSubresource<Status>(Pods, 'b', 'binding', binding, {
      namespace: 'default',
    });
    expect(status.status).toBe('Success');
    const bound = await api.client.get(Pods, 'b', { namespace: 'default' });
    expect(bound.spec?.nodeName).toBe('node-1');
    expect(bound.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
    const again = await rejection(() =>
      api.client.createSubresource(
        Pods,
        'b',
        'binding',
        { ...binding, target: { kind: 'Node', name: 'node-2' } },
        { namespace: 'default' },
      ),
    );
    expect(again.code).toBe('Conflict');
    expect(again.message).toContain('pod b is already assigned to node "node-1"');
  });

  it('rejects a binding without a target node', async () => {
    await api.client.create(Pods, pod('nt'));
    const err = await rejection(() =>
      api.client.createSubresource(
        Pods,
        'nt',
        'binding',
        { metadata: { name: 'nt' }, target: {} },
        { namespace: 'default' },
      ),
    );
    expect(err.code).toBe('Invalid');
    expect(err.message).toContain('target.name: Required value');
  });

  it('serves and updates scale for deployments and replicasets', async () => {
    const d = await api.client.create(Deployments, deployment('web', 2));
    const scale = await api.client.getSubresource<Scale>(Deployments, 'web', 'scale', {
      namespace: 'default',
    });
    expect(scale).toMatchObject({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'web', namespace: 'default', uid: d.metadata?.uid },
      spec: { replicas: 2 },
      status: { replicas: 0, selector: 'app=web' },
    });
    const updated = await api.client.updateSubresource<Scale>(
      Deployments,
      'web',
      'scale',
      { ...scale, spec: { replicas: 5 } },
      { namespace: 'default' },
    );
    expect(updated.spec.replicas).toBe(5);
    const after = await api.client.get(Deployments, 'web', { namespace: 'default' });
    expect(after.spec?.replicas).toBe(5);
    expect(after.metadata?.generation).toBe(2);
    const stale = await rejection(() =>
      api.client.updateSubresource(
        Deployments,
        'web',
        'scale',
        { ...scale, spec: { replicas: 1 } },
        { namespace: 'default' },
      ),
    );
    expect(stale.code).toBe('Conflict');
    const negative = await rejection(() =>
      api.client.updateSubresource(
        Deployments,
        'web',
        'scale',
        { spec: { replicas: -1 } },
        { namespace: 'default' },
      ),
    );
    expect(negative.code).toBe('Invalid');
    const rs = deployment('rs', 3);
    await api.client.create(ReplicaSets, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: rs.metadata!,
      spec: { replicas: 3, selector: rs.spec!.selector, template: rs.spec!.template },
    });
    expect(
      (await api.client.getSubresource<Scale>(ReplicaSets, 'rs', 'scale', { namespace: 'default' })).spec
        .replicas,
    ).toBe(3);
  });

  it('patches scale as kubectl scale does', async () => {
    await api.client.create(Deployments, deployment('kscale', 1));
    const scale: unknown = await api.client.patch(
      Deployments,
      'kscale',
      'merge',
      { spec: { replicas: 4 } },
      { namespace: 'default', subresource: 'scale' },
    );
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 4 } });
    expect((await api.client.get(Deployments, 'kscale', { namespace: 'default' })).spec?.replicas).toBe(4);
  });

  it('answers NotFound for a subresource the kind does not serve', async () => {
    await api.client.create(Pods, pod('p'));
    expect(
      (await rejection(() => api.client.getSubresource(Pods, 'p', 'scale', { namespace: 'default' }))).code,
    ).toBe('NotFound');
  });

  it('finalize replaces only spec.finalizers of a namespace', async () => {
    await api.client.create(Namespaces, { metadata: { name: 'fz', labels: { a: 'b' } } });
    const result = await api.client.updateSubresource<corev1.Namespace>(Namespaces, 'fz', 'finalize', {
      metadata: { name: 'fz', labels: { changed: 'yes' } },
      spec: { finalizers: ['example.com/x'] },
    });
    expect(result.spec?.finalizers).toEqual(['example.com/x']);
    expect(result.metadata?.labels?.['a']).toBe('b');
    expect(result.metadata?.labels?.['changed']).toBeUndefined();
  });
});
