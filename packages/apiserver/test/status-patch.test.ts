import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { appsv1 } from '@tugboat/core';

import { ConfigMaps, Deployments, configMap, deployment, newApiserver, rejection } from './harness.js';

describe('status subresource and patches', () => {
  let api: Awaited<ReturnType<typeof newApiserver>>;
  beforeEach(async () => {
    api = await newApiserver();
  });
  afterEach(async () => api.close());

  it('drops status on create of a kind with a status subresource', async () => {
    const d = deployment('s1');
    const created = await api.client.create(Deployments, { ...d, status: { replicas: 7 } });
    expect(created.status).toBeUndefined();
  });

  it('keeps the stored status on a main update and the stored spec on a status update', async () => {
    const created = await api.client.create(Deployments, deployment('split', 1));
    const withStatus = await api.client.updateStatus(Deployments, {
      ...created,
      spec: { ...created.spec!, replicas: 9 },
      status: { replicas: 1, readyReplicas: 1 },
    });
    expect(withStatus.status).toEqual({ replicas: 1, readyReplicas: 1 });
    expect(withStatus.spec?.replicas).toBe(1);
    expect(withStatus.metadata?.generation).toBe(1);
    const main = await api.client.update(Deployments, {
      ...withStatus,
      spec: { ...withStatus.spec!, replicas: 2 },
      status: { replicas: 100 },
    });
    expect(main.spec?.replicas).toBe(2);
    expect(main.status).toEqual({ replicas: 1, readyReplicas: 1 });
    expect(main.metadata?.generation).toBe(2);
  });

  it('status writes do not change labels either', async () => {
    const created = await api.client.create(Deployments, deployment('lbl'));
    const after = await api.client.updateStatus(Deployments, {
      ...created,
      metadata: { ...created.metadata, labels: { sneaky: 'yes' } },
      status: { replicas: 0 },
    });
    expect(after.metadata?.labels).toBeUndefined();
  });

  it('status update of a kind without status subresource is NotFound', async () => {
    const cm = await api.client.create(ConfigMaps, configMap('nostatus'));
    expect((await rejection(() => api.client.updateStatus(ConfigMaps, cm))).code).toBe('NotFound');
  });

  it('applies a merge patch (RFC 7386), removing keys set to null', async () => {
    await api.client.create(ConfigMaps, configMap('mp', 'default', { a: '1', b: '2' }));
    const patched = await api.client.patch(
      ConfigMaps,
      'mp',
      'merge',
      { data: { a: null, c: '3' }, metadata: { labels: { l: 'v' } } },
      { namespace: 'default' },
    );
    expect(patched.data).toEqual({ b: '2', c: '3' });
    expect(patched.metadata?.labels).toEqual({ l: 'v' });
  });

  it('applies a JSON patch (RFC 6902) and rejects a failed test with Invalid, storing nothing', async () => {
    await api.client.create(ConfigMaps, configMap('jp', 'default', { a: '1' }));
    const patched = await api.client.patch(
      ConfigMaps,
      'jp',
      'json',
      [{ op: 'add', path: '/data/b', value: '2' }],
      { namespace: 'default' },
    );
    expect(patched.data).toEqual({ a: '1', b: '2' });
    const rev = await api.store.currentRevision();
    const err = await rejection(() =>
      api.client.patch(
        ConfigMaps,
        'jp',
        'json',
        [
          { op: 'test', path: '/data/a', value: 'nope' },
          { op: 'remove', path: '/data/a' },
        ],
        { namespace: 'default' },
      ),
    );
    expect(err.code).toBe('Invalid');
    expect(await api.store.currentRevision()).toBe(rev);
    const malformed = await rejection(() =>
      api.client.patch(ConfigMaps, 'jp', 'json', { op: 'add' }, { namespace: 'default' }),
    );
    expect(malformed.code).toBe('BadRequest');
  });

  it('treats a resourceVersion inside a patch as a precondition', async () => {
    const created = await api.client.create(ConfigMaps, configMap('pin', 'default', { a: '1' }));
    await api.client.patch(ConfigMaps, 'pin', 'merge', { data: { a: '2' } }, { namespace: 'default' });
    const err = await rejection(() =>
      api.client.patch(
        ConfigMaps,
        'pin',
        'merge',
        { metadata: { resourceVersion: created.metadata?.resourceVersion }, data: { a: '3' } },
        { namespace: 'default' },
      ),
    );
    expect(err.code).toBe('Conflict');
  });

  it('patches the status subresource without touching the spec', async () => {
    await api.client.create(Deployments, deployment('ps', 1));
    const patched = await api.client.patch<appsv1.Deployment>(
      Deployments,
      'ps',
      'merge',
      { spec: { replicas: 5 }, status: { replicas: 1 } },
      { namespace: 'default', subresource: 'status' },
    );
    expect(patched.status?.replicas).toBe(1);
    expect(patched.spec?.replicas).toBe(1);
  });

  it('applies a strategic merge patch to a built-in kind through the same write path', async () => {
    await api.client.create(ConfigMaps, configMap('smp', 'default', { a: '1' }));
    const patched = await api.client.patch(
      ConfigMaps,
      'smp',
      'strategic',
      { data: { b: '2' } },
      { namespace: 'default' },
    );
    expect(patched.data).toEqual({ a: '1', b: '2' });
  });

  it('patches from many writers at once lose no update', async () => {
    await api.client.create(ConfigMaps, configMap('race', 'default', {}));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.client.patch(
          ConfigMaps,
          'race',
          'merge',
          { data: { [`k${i}`]: String(i) } },
          { namespace: 'default' },
        ),
      ),
    );
    const final = await api.client.get(ConfigMaps, 'race', { namespace: 'default' });
    expect(Object.keys(final.data ?? {})).toHaveLength(20);
  });
});
