import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError, type corev1 } from '@tugboat/core';

import {
  ConfigMaps,
  Deployments,
  Namespaces,
  Nodes,
  Pods,
  configMap,
  deployment,
  newApiserver,
  pod,
  rejection,
} from './harness.js';

describe('Registry CRUD', () => {
  let api: Awaited<ReturnType<typeof newApiserver>>;
  beforeEach(async () => {
    api = await newApiserver();
  });
  afterEach(async () => api.close());

  it('fills server-owned metadata on create and reads back the same object', async () => {
    const created = await api.client.create(ConfigMaps, configMap('one', 'default', { a: '1' }));
    expect(created.apiVersion).toBe('v1');
    expect(created.kind).toBe('ConfigMap');
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(created.metadata?.generation).toBe(1);
    expect(created.metadata?.resourceVersion).toBe(String(await api.store.currentRevision()));
    const got = await api.client.get(ConfigMaps, 'one', { namespace: 'default' });
    expect(got).toEqual(created);
  });

  it('stores under /<group or core>/<plural>/<namespace>/<name> and cluster-scoped without namespace', async () => {
    await api.client.create(ConfigMaps, configMap('k'));
    await api.client.create(Nodes, { metadata: { name: 'node-1' } });
    await api.client.create(Deployments, deployment('web'));
    expect(await api.store.get('/core/configmaps/default/k')).toBeDefined();
    expect(await api.store.get('/core/nodes/node-1')).toBeDefined();
    expect(await api.store.get('/apps/deployments/default/web')).toBeDefined();
    const stored = JSON.parse((await api.store.get('/core/configmaps/default/k'))!.value) as corev1.ConfigMap;
    expect(stored.metadata?.resourceVersion).toBeUndefined();
  });

  it('generates a name from generateName with five random characters', async () => {
    const created = await api.client.create(ConfigMaps, {
      metadata: { generateName: 'gen-', namespace: 'default' },
    });
    expect(created.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('rejects a duplicate with AlreadyExists and a missing object with NotFound', async () => {
    await api.client.create(ConfigMaps, configMap('dup'));
    const dup = await rejection(() => api.client.create(ConfigMaps, configMap('dup')));
    expect(dup.code).toBe('AlreadyExists');
    expect(dup.message).toBe('configmaps "dup" already exists');
    const missing = await rejection(() => api.client.get(ConfigMaps, 'nope', { namespace: 'default' }));
    expect(missing.code).toBe('NotFound');
    expect(missing.message).toBe('configmaps "nope" not found');
  });

  it('rejects a body namespace that differs from the request namespace', async () => {
    const err = await rejection(() =>
      api.client.create(ConfigMaps, configMap('x', 'kube-system'), { namespace: 'default' }),
    );
    expect(err.code).toBe('BadRequest');
  });

  it('rejects bad names with Invalid and stores nothing', async () => {
    const before = await api.store.currentRevision();
    const err = await rejection(() => api.client.create(ConfigMaps, configMap('Bad_Name')));
    expect(err.code).toBe('Invalid');
    expect(err.details.causes?.some((c) => c.field === 'metadata.name')).toBe(true);
    const noName = await rejection(() =>
      api.client.create(ConfigMaps, { metadata: { namespace: 'default' } }),
    );
    expect(noName.code).toBe('Invalid');
    expect(noName.message).toContain('metadata.name: Required value');
    expect(await api.store.currentRevision()).toBe(before);
  });

  it('updates with compare-and-swap on resourceVersion', async () => {
    const created = await api.client.create(ConfigMaps, configMap('cas', 'default', { a: '1' }));
    const updated = await api.client.update(ConfigMaps, { ...created, data: { a: '2' } });
    expect(updated.data).toEqual({ a: '2' });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(
      Number(created.metadata?.resourceVersion),
    );
    const stale = await rejection(() => api.client.update(ConfigMaps, { ...created, data: { a: '3' } }));
    expect(stale.code).toBe('Conflict');
    expect(stale.message).toBe(
      'Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect((await api.client.get(ConfigMaps, 'cas', { namespace: 'default' })).data).toEqual({ a: '2' });
  });

  it('treats an update without a resourceVersion as unconditional, as upstream does', async () => {
    const created = await api.client.create(ConfigMaps, configMap('norv'));
    const updated = await api.client.update(ConfigMaps, configMap('norv', 'default', { b: '1' }));
    expect(updated.data).toEqual({ b: '1' });
    expect(updated.metadata?.uid).toBe(created.metadata?.uid);
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(
      Number(created.metadata?.resourceVersion),
    );
  });

  it('keeps uid and creationTimestamp and rejects a changed uid', async () => {
    const created = await api.client.create(ConfigMaps, configMap('imm'));
    const kept = await api.client.update(ConfigMaps, {
      ...created,
      metadata: { ...created.metadata, creationTimestamp: '2000-01-01T00:00:00Z' },
    });
    expect(kept.metadata?.creationTimestamp).toBe(created.metadata?.creationTimestamp);
    expect(kept.metadata?.uid).toBe(created.metadata?.uid);
    const err = await rejection(() =>
      api.client.update(ConfigMaps, { ...kept, metadata: { ...kept.metadata, uid: 'other' } }),
    );
    expect(err.code).toBe('Invalid');
    expect(err.message).toContain('metadata.uid');
  });

  it('bumps generation only when the spec changes', async () => {
    const created = await api.client.create(Deployments, deployment('gen', 1));
    expect(created.metadata?.generation).toBe(1);
    const labelled = await api.client.update(Deployments, {
      ...created,
      metadata: { ...created.metadata, labels: { x: 'y' } },
    });
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = await api.client.update(Deployments, {
      ...labelled,
      spec: { ...labelled.spec!, replicas: 3 },
    });
    expect(scaled.metadata?.generation).toBe(2);
  });

  it('hands out copies: mutating a result or an input changes nothing stored', async () => {
    const input = configMap('copy', 'default', { a: '1' });
    const created = await api.client.create(ConfigMaps, input);
    input.data!['a'] = 'changed';
    created.data!['a'] = 'changed';
    expect((await api.client.get(ConfigMaps, 'copy', { namespace: 'default' })).data).toEqual({ a: '1' });
  });

  it('never changes the object a caller sends to create, update or updateStatus', async () => {
    const input = pod('sent');
    const sent = structuredClone(input);
    const created = await api.client.create(Pods, input);
    expect(input).toEqual(sent);
    const update = { ...created, metadata: { ...created.metadata, labels: { a: 'b' } } };
    const updateSent = structuredClone(update);
    await api.client.update(Pods, update);
    expect(update).toEqual(updateSent);
    const current = await api.client.get(Pods, 'sent', { namespace: 'default' });
    const status = { ...current, status: { phase: 'Running' as const } };
    const statusSent = structuredClone(status);
    await api.client.updateStatus(Pods, status);
    expect(status).toEqual(statusSent);
  });

  it('rejects a kind or apiVersion that does not match the resource', async () => {
    const err = await rejection(() =>
      api.client.create(ConfigMaps, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'default' },
      } as never),
    );
    expect(err.code).toBe('BadRequest');
  });

  it('dry-run create, update and delete store nothing but answer as they would', async () => {
    const before = await api.store.currentRevision();
    const dry = await api.client.create(ConfigMaps, configMap('dry', 'default', { a: '1' }), {
      dryRun: true,
    });
    expect(dry.metadata?.uid).toBeDefined();
    expect(await api.store.currentRevision()).toBe(before);
    expect((await rejection(() => api.client.get(ConfigMaps, 'dry', { namespace: 'default' }))).code).toBe(
      'NotFound',
    );
    const real = await api.client.create(ConfigMaps, configMap('dry', 'default', { a: '1' }));
    const rev = await api.store.currentRevision();
    const dryUpdate = await api.client.update(ConfigMaps, { ...real, data: { a: '2' } }, { dryRun: true });
    expect(dryUpdate.data).toEqual({ a: '2' });
    await api.client.delete(ConfigMaps, 'dry', { namespace: 'default', dryRun: true });
    expect(await api.store.currentRevision()).toBe(rev);
    expect((await api.client.get(ConfigMaps, 'dry', { namespace: 'default' })).data).toEqual({ a: '1' });
  });

  it('bootstraps the four system namespaces as Active', async () => {
    const list = await api.client.list(Namespaces);
    expect(list.items.map((n) => n.metadata?.name).sort()).toEqual([
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
    ]);
    expect(list.items.every((n) => n.status?.phase === 'Active')).toBe(true);
  });

  it('lists every bad field of an invalid pod and stores nothing', async () => {
    const before = await api.store.currentRevision();
    const err = await rejection(() =>
      api.client.create(Pods, {
        metadata: { name: 'broken', namespace: 'default' },
        spec: {
          containers: [
            { name: 'a', image: '' },
            { name: 'b', image: '' },
          ],
        },
      }),
    );
    expect(err.code).toBe('Invalid');
    expect(err.message).toContain('spec.containers[0].image: Required value');
    expect(err.message).toContain('spec.containers[1].image: Required value');
    expect(await api.store.currentRevision()).toBe(before);
  });

  it('answers an unknown resource with NotFound and never a raw error', async () => {
    const err = await rejection(() =>
      api.client.get(
        { group: 'nope.example.com', version: 'v1', plural: 'things', kind: 'Thing', namespaced: true },
        'x',
        { namespace: 'default' },
      ),
    );
    expect(ApiError.is(err, 'NotFound')).toBe(true);
  });
});
