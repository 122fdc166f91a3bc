import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError, type corev1, type KubeObject, type WatchEvent } from '@tugboat/core';
import { firstValueFrom, filter, take, toArray, type Observable } from 'rxjs';

import { ConfigMaps, Namespaces, Pods, configMap, newApiserver, pod, rejection } from './harness.js';

/** Collects events from a watch until `count` arrived. */
function collect<T>(source: Observable<WatchEvent<T>>, count: number): Promise<WatchEvent<T>[]> {
  return firstValueFrom(
    source.pipe(
      filter((e) => e.type !== 'BOOKMARK'),
      take(count),
      toArray(),
    ),
  );
}

describe('list and watch', () => {
  let api: Awaited<ReturnType<typeof newApiserver>>;
  beforeEach(async () => {
    api = await newApiserver({ bookmarkIntervalMs: 20 });
    await api.client.create(Namespaces, { metadata: { name: 'other' } });
  });
  afterEach(async () => api.close());

  it('lists one namespace or all, carrying the store revision', async () => {
    await api.client.create(ConfigMaps, configMap('a', 'default'));
    await api.client.create(ConfigMaps, configMap('b', 'other'));
    const one = await api.client.list(ConfigMaps, { namespace: 'default' });
    expect(one.items.map((c) => c.metadata?.name)).toEqual(['a']);
    expect(one.kind).toBe('ConfigMapList');
    expect(one.metadata.resourceVersion).toBe(String(await api.store.currentRevision()));
    const all = await api.client.list(ConfigMaps);
    expect(all.items.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`).sort()).toEqual([
      'default/a',
      'other/b',
    ]);
  });

  it('filters by label selector and by field selector', async () => {
    await api.client.create(ConfigMaps, configMap('x1', 'default', {}, { app: 'x', tier: 'web' }));
    await api.client.create(ConfigMaps, configMap('x2', 'default', {}, { app: 'x', tier: 'db' }));
    await api.client.create(ConfigMaps, configMap('y1', 'other', {}, { app: 'y' }));
    const names = async (opts: { labelSelector?: string; fieldSelector?: string }): Promise<string[]> =>
      (await api.client.list(ConfigMaps, opts)).items.map((c) => c.metadata?.name ?? '').sort();
    expect(await names({ labelSelector: 'app=x' })).toEqual(['x1', 'x2']);
    expect(await names({ labelSelector: 'app=x,tier!=db' })).toEqual(['x1']);
    expect(await names({ labelSelector: 'tier in (web,db)' })).toEqual(['x1', 'x2']);
    expect(await names({ fieldSelector: 'metadata.name=y1' })).toEqual(['y1']);
    expect(await names({ fieldSelector: 'metadata.namespace!=default' })).toEqual(['y1']);
  });

  it('field-selects pods by spec.nodeName and rejects unsupported fields', async () => {
    await api.client.create(Pods, pod('on-node', 'default', { nodeName: 'n1' }));
    await api.client.create(Pods, pod('pending', 'default'));
    const onNode = await api.client.list(Pods, { fieldSelector: 'spec.nodeName=n1' });
    expect(onNode.items.map((p) => p.metadata?.name)).toEqual(['on-node']);
    const unscheduled = await api.client.list(Pods, { fieldSelector: 'spec.nodeName=' });
    expect(unscheduled.items.map((p) => p.metadata?.name)).toEqual(['pending']);
    const err = await rejection(() => api.client.list(Pods, { fieldSelector: 'spec.bogus=1' }));
    expect(err.code).toBe('BadRequest');
    expect(err.message).toBe('field label not supported: spec.bogus');
  });

  it('paginates with limit and continue at one revision', async () => {
    for (let i = 0; i < 5; i++) await api.client.create(ConfigMaps, configMap(`p${i}`));
    const first = await api.client.list(ConfigMaps, { namespace: 'default', limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.metadata.continue).toBeDefined();
    await api.client.create(ConfigMaps, configMap('p9'));
    const seen = [...first.items];
    let token = first.metadata.continue;
    while (token) {
      const page = await api.client.list(ConfigMaps, { namespace: 'default', limit: 2, continue: token });
      expect(page.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
      seen.push(...page.items);
      token = page.metadata.continue;
    }
    expect(seen.map((c) => c.metadata?.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('replays current objects as ADDED when resourceVersion is unset, then streams changes', async () => {
    await api.client.create(ConfigMaps, configMap('w1'));
    const events = collect(api.client.watch(ConfigMaps, { namespace: 'default' }), 4);
    const cm = await firstValueFrom(
      api.client.watch(ConfigMaps, { namespace: 'default', resourceVersion: '0' }).pipe(take(1)),
    );
    expect(cm.type).toBe('ADDED');
    const created = await api.client.create(ConfigMaps, configMap('w2'));
    await api.client.update(ConfigMaps, { ...created, data: { a: '1' } });
    const deleted = await api.client.delete(ConfigMaps, 'w2', { namespace: 'default' });
    expect((deleted as { status?: string }).status).toBe('Success');
    const got = await events;
    expect(got.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual([
      'ADDED w1',
      'ADDED w2',
      'MODIFIED w2',
      'DELETED w2',
    ]);
    const last = got[3]!.object;
    expect(last.metadata?.resourceVersion).toBe(String(await api.store.currentRevision()));
  });

  it('streams only changes after a given resourceVersion', async () => {
    const a = await api.client.create(ConfigMaps, configMap('r1'));
    await api.client.create(ConfigMaps, configMap('r2'));
    const events = await collect(
      api.client.watch(ConfigMaps, {
        namespace: 'default',
        resourceVersion: a.metadata?.resourceVersion ?? '',
      }),
      1,
    );
    expect(events[0]?.type).toBe('ADDED');
    expect(events[0]?.object.metadata?.name).toBe('r2');
  });

  it('turns objects leaving the selection into DELETED and entering into ADDED', async () => {
    const watched = collect(
      api.client.watch(ConfigMaps, { namespace: 'default', labelSelector: 'app=sel' }),
      3,
    );
    const outside = await api.client.create(ConfigMaps, configMap('sel', 'default', {}, { app: 'other' }));
    const inside = await api.client.update(ConfigMaps, {
      ...outside,
      metadata: { ...outside.metadata, labels: { app: 'sel' } },
    });
    const changed = await api.client.update(ConfigMaps, { ...inside, data: { x: '1' } });
    await api.client.update(ConfigMaps, {
      ...changed,
      metadata: { ...changed.metadata, labels: { app: 'gone' } },
    });
    const got = await watched;
    expect(got.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
  });

  it('errors with Gone for a compacted resourceVersion', async () => {
    const a = await api.client.create(ConfigMaps, configMap('c1'));
    await api.client.create(ConfigMaps, configMap('c2'));
    await api.client.create(ConfigMaps, configMap('c3'));
    await api.store.compact(await api.store.currentRevision());
    const err = await new Promise<unknown>((resolve) => {
      api.client
        .watch(ConfigMaps, { namespace: 'default', resourceVersion: a.metadata?.resourceVersion ?? '' })
        .subscribe({ error: resolve });
    });
    expect(ApiError.is(err, 'Gone')).toBe(true);
  });

  it('sends BOOKMARK events with the latest revision when asked', async () => {
    const created = await api.client.create(ConfigMaps, configMap('bm'));
    const bookmark = await firstValueFrom(
      api.client
        .watch<KubeObject>(ConfigMaps, { namespace: 'default', allowWatchBookmarks: true })
        .pipe(filter((e) => e.type === 'BOOKMARK')),
    );
    expect(bookmark.object.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    expect(bookmark.object.kind).toBe('ConfigMap');
  });

  it('rejects a malformed label selector with BadRequest on the error channel', async () => {
    const err = await new Promise<unknown>((resolve) => {
      api.client.watch(ConfigMaps, { labelSelector: 'a in (' }).subscribe({ error: resolve });
    });
    expect(ApiError.is(err, 'BadRequest')).toBe(true);
  });

  it('ends a watch after timeoutSeconds', async () => {
    const done = await new Promise<boolean>((resolve, reject) => {
      api.client.watch(ConfigMaps, { namespace: 'default', timeoutSeconds: 1 }).subscribe({
        error: reject,
        complete: () => {
          resolve(true);
        },
      });
    });
    expect(done).toBe(true);
  });

  it('lists at an exact past revision', async () => {
    const first = await api.client.create(ConfigMaps, configMap('v1', 'default', { a: '1' }));
    await api.client.update(ConfigMaps, { ...first, data: { a: '2' } });
    const past = await api.client.list(ConfigMaps, {
      namespace: 'default',
      resourceVersion: first.metadata?.resourceVersion ?? '',
      resourceVersionMatch: 'Exact',
    });
    expect(past.items[0]?.data).toEqual({ a: '1' });
    expect(past.metadata.resourceVersion).toBe(first.metadata?.resourceVersion);
  });

  it('watches pods across namespaces', async () => {
    const watched = collect(api.client.watch<corev1.Pod>(Pods, {}), 2);
    await api.client.create(Pods, pod('a', 'default'));
    await api.client.create(Pods, pod('b', 'other'));
    expect((await watched).map((e) => e.object.metadata?.namespace)).toEqual(['default', 'other']);
  });
});
