import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { corev1, KubeObject, Status } from '@tugboat/core';

import { systemAdmin } from '../src/index.js';
import {
  ConfigMaps,
  Deployments,
  Namespaces,
  Pods,
  configMap,
  deployment,
  newApiserver,
  pod,
  rejection,
} from './harness.js';

describe('deletion', () => {
  let api: Awaited<ReturnType<typeof newApiserver>>;
  beforeEach(async () => {
    api = await newApiserver();
  });
  afterEach(async () => api.close());

  const getCm = (name: string): Promise<corev1.ConfigMap> =>
    api.client.get(ConfigMaps, name, { namespace: 'default' });

  it('deletes at once and answers with a Success status', async () => {
    await api.client.create(ConfigMaps, configMap('gone'));
    const result = (await api.client.delete(ConfigMaps, 'gone', { namespace: 'default' })) as Status;
    expect(result.status).toBe('Success');
    expect(result.details?.name).toBe('gone');
    expect((await rejection(() => getCm('gone'))).code).toBe('NotFound');
    expect(
      (await rejection(() => api.client.delete(ConfigMaps, 'gone', { namespace: 'default' }))).code,
    ).toBe('NotFound');
  });

  it('checks uid and resourceVersion preconditions', async () => {
    const cm = await api.client.create(ConfigMaps, configMap('pre'));
    const uid = await rejection(() =>
      api.client.delete(ConfigMaps, 'pre', { namespace: 'default', preconditions: { uid: 'wrong' } }),
    );
    expect(uid.code).toBe('Conflict');
    expect(uid.message).toContain('Precondition failed: UID in precondition: wrong');
    const rv = await rejection(() =>
      api.client.delete(ConfigMaps, 'pre', { namespace: 'default', preconditions: { resourceVersion: '1' } }),
    );
    expect(rv.code).toBe('Conflict');
    await api.client.delete(ConfigMaps, 'pre', {
      namespace: 'default',
      preconditions: { uid: cm.metadata!.uid!, resourceVersion: cm.metadata!.resourceVersion! },
    });
    expect((await rejection(() => getCm('pre'))).code).toBe('NotFound');
  });

  it('keeps an object with finalizers, marked, until an update removes the last finalizer', async () => {
    await api.client.create(ConfigMaps, {
      ...configMap('fin'),
      metadata: { name: 'fin', namespace: 'default', finalizers: ['example.com/a', 'example.com/b'] },
    });
    const marked = (await api.client.delete(ConfigMaps, 'fin', { namespace: 'default' })) as KubeObject;
    expect(marked.metadata?.deletionTimestamp).toBeDefined();
    expect(marked.metadata?.deletionGracePeriodSeconds).toBe(0);
    const stored = await getCm('fin');
    expect(stored.metadata?.deletionTimestamp).toBe(marked.metadata?.deletionTimestamp);
    const added = await rejection(() =>
      api.client.update(ConfigMaps, {
        ...stored,
        metadata: { ...stored.metadata, finalizers: ['example.com/a', 'example.com/b', 'example.com/c'] },
      }),
    );
    expect(added.code).toBe('Invalid');
    const one = await api.client.update(ConfigMaps, {
      ...stored,
      metadata: { ...stored.metadata, finalizers: ['example.com/b'] },
    });
    expect(one.metadata?.deletionTimestamp).toBe(marked.metadata?.deletionTimestamp);
    await api.client.update(ConfigMaps, { ...one, metadata: { ...one.metadata, finalizers: [] } });
    expect((await rejection(() => getCm('fin'))).code).toBe('NotFound');
  });

  it('adds the foregroundDeletion or orphan finalizer for those propagation policies', async () => {
    await api.client.create(Deployments, deployment('fg'));
    const fg = (await api.client.delete(Deployments, 'fg', {
      namespace: 'default',
      propagationPolicy: 'Foreground',
    })) as KubeObject;
    expect(fg.metadata?.finalizers).toEqual(['foregroundDeletion']);
    expect(fg.metadata?.deletionTimestamp).toBeDefined();
    await api.client.create(Deployments, deployment('or'));
    const or = (await api.client.delete(Deployments, 'or', {
      namespace: 'default',
      propagationPolicy: 'Orphan',
    })) as KubeObject;
    expect(or.metadata?.finalizers).toEqual(['orphan']);
    await api.client.create(Deployments, deployment('bg'));
    const bg = (await api.client.delete(Deployments, 'bg', {
      namespace: 'default',
      propagationPolicy: 'Background',
    })) as Status;
    expect(bg.status).toBe('Success');
  });

  it('deletes a bound pod gracefully and a later shorter grace shortens it', async () => {
    await api.client.create(
      Pods,
      pod('g', 'default', { nodeName: 'node-1', terminationGracePeriodSeconds: 30 }),
    );
    const first = (await api.client.delete(Pods, 'g', { namespace: 'default' })) as corev1.Pod;
    expect(first.metadata?.deletionGracePeriodSeconds).toBe(30);
    const deadline = Date.parse(first.metadata!.deletionTimestamp!);
    expect(deadline).toBeGreaterThan(Date.now() + 20_000);
    const still = await api.client.get(Pods, 'g', { namespace: 'default' });
    expect(still.metadata?.deletionTimestamp).toBe(first.metadata?.deletionTimestamp);
    const shorter = (await api.client.delete(Pods, 'g', {
      namespace: 'default',
      gracePeriodSeconds: 5,
    })) as corev1.Pod;
    expect(shorter.metadata?.deletionGracePeriodSeconds).toBe(5);
    expect(Date.parse(shorter.metadata!.deletionTimestamp!)).toBeLessThan(deadline);
    const longer = (await api.client.delete(Pods, 'g', {
      namespace: 'default',
      gracePeriodSeconds: 60,
    })) as corev1.Pod;
    expect(longer.metadata?.deletionGracePeriodSeconds).toBe(5);
    const final = (await api.client.delete(Pods, 'g', {
      namespace: 'default',
      gracePeriodSeconds: 0,
    })) as corev1.Pod;
    expect(final.metadata?.name).toBe('g');
    expect((await rejection(() => api.client.get(Pods, 'g', { namespace: 'default' }))).code).toBe(
      'NotFound',
    );
  });

  it('deletes an unbound pod at once, returning the pod', async () => {
    await api.client.create(Pods, pod('unbound'));
    const result = (await api.client.delete(Pods, 'unbound', { namespace: 'default' })) as corev1.Pod;
    expect(result.kind).toBe('Pod');
    expect((await rejection(() => api.client.get(Pods, 'unbound', { namespace: 'default' }))).code).toBe(
      'NotFound',
    );
  });

  it('deletes a collection selected by labels', async () => {
    await api.client.create(ConfigMaps, configMap('c1', 'default', {}, { batch: 'x' }));
    await api.client.create(ConfigMaps, configMap('c2', 'default', {}, { batch: 'x' }));
    await api.client.create(ConfigMaps, configMap('keep', 'default', {}, { batch: 'y' }));
    const def = api.registry.resources.resolve(ConfigMaps);
    const deleted = await api.registry.deleteCollection({ user: systemAdmin, namespace: 'default' }, def, {
      labelSelector: 'batch=x',
    });
    expect(deleted.items.map((i) => i.metadata?.name).sort()).toEqual(['c1', 'c2']);
    expect(
      (await api.client.list(ConfigMaps, { namespace: 'default' })).items.map((i) => i.metadata?.name),
    ).toEqual(['keep']);
  });
});

describe('namespace lifecycle', () => {
  let api: Awaited<ReturnType<typeof newApiserver>>;
  beforeEach(async () => {
    api = await newApiserver();
  });
  afterEach(async () => api.close());

  it('refuses to create in a namespace that does not exist', async () => {
    const err = await rejection(() => api.client.create(ConfigMaps, configMap('x', 'missing')));
    expect(err.code).toBe('NotFound');
    expect(err.message).toBe('namespaces "missing" not found');
  });

  it('refuses to delete the system namespaces', async () => {
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      const err = await rejection(() => api.client.delete(Namespaces, name));
      expect(err.code).toBe('Forbidden');
    }
  });

  it('turns a deleted namespace Terminating, refuses new content, and removes it once finalized', async () => {
    const created = await api.client.create(Namespaces, { metadata: { name: 'team' } });
    expect(created.spec?.finalizers).toEqual(['kubernetes']);
    await api.client.create(ConfigMaps, configMap('before', 'team'));
    const terminating = (await api.client.delete(Namespaces, 'team')) as corev1.Namespace;
    expect(terminating.status?.phase).toBe('Terminating');
    expect(terminating.metadata?.deletionTimestamp).toBeDefined();
    const err = await rejection(() => api.client.create(ConfigMaps, configMap('after', 'team')));
    expect(err.code).toBe('Forbidden');
    expect(err.message).toContain(
      'unable to create new content in namespace team because it is being terminated',
    );
    // Existing content can still change while the namespace controller cleans up.
    await api.client.delete(ConfigMaps, 'before', { namespace: 'team' });
    await api.client.updateSubresource(Namespaces, 'team', 'finalize', {
      metadata: { name: 'team' },
      spec: { finalizers: [] },
    });
    expect((await rejection(() => api.client.get(Namespaces, 'team'))).code).toBe('NotFound');
  });
});
