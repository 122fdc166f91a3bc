import { afterEach, describe, expect, it } from '@jest/globals';

import {
  ApiError,
  SharedInformerFactory,
  builtinIndexes,
  errors,
  resources,
  silentLogger,
  type InformerEvent,
  type corev1,
} from '../src/index.js';
import { FakeApiClient } from './support/FakeApiClient.js';
import { until } from './support/until.js';

const pod = (name: string, extra: Partial<corev1.Pod> = {}, ns = 'default'): corev1.Pod => ({
  metadata: { name, namespace: ns, ...(extra.metadata ?? {}) },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...(extra.spec ?? {}) },
});

/** Records delays asked for and resolves them at once. */
function instantDelays(): { delays: number[]; delay: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, delay: async (ms) => void delays.push(ms) };
}

let factories: SharedInformerFactory[] = [];
afterEach(async () => {
  await Promise.all(factories.map((f) => f.stop()));
  factories = [];
});

function makeFactory(
  client: FakeApiClient,
  opts: ConstructorParameters<typeof SharedInformerFactory>[2] = {},
): SharedInformerFactory {
  const f = new SharedInformerFactory(client, silentLogger, { random: () => 0.5, ...opts });
  factories.push(f);
  return f;
}

describe('SharedInformerFactory', () => {
  it('shares one informer per resource and scope', () => {
    const f = makeFactory(new FakeApiClient());
    expect(f.informerFor(resources.Pods)).toBe(f.informerFor(resources.Pods));
    expect(f.informerFor(resources.Pods, { namespace: 'a' })).not.toBe(f.informerFor(resources.Pods));
    expect(f.informerFor(resources.Pods, { labelSelector: 'app=x' })).not.toBe(f.informerFor(resources.Pods));
    expect(f.informerFor(resources.Nodes)).not.toBe(f.informerFor(resources.Pods));
  });
});

describe('ListWatchInformer', () => {
  it('lists in pages of 500, then watches from the list version with bookmarks', async () => {
    const client = new FakeApiClient();
    for (let i = 0; i < 1203; i++) await client.create(resources.Pods, pod(`p${i}`));
    const informer = makeFactory(client).informerFor(resources.Pods);
    await informer.start();
    expect(informer.hasSynced()).toBe(true);
    expect(informer.cache.size).toBe(1203);
    const lists = client.calls
      .filter((c) => c.verb === 'list')
      .map((c) => c.options as { limit: number; continue?: string });
    expect(lists.map((l) => [l.limit, l.continue])).toEqual([
      [500, undefined],
      [500, '500'],
      [500, '1000'],
    ]);
    await until(() => client.activeWatches === 1, 'watch');
    expect(client.calls.find((c) => c.verb === 'watch')?.options).toMatchObject({
      resourceVersion: '1203',
      allowWatchBookmarks: true,
    });
    expect(informer.resourceVersion).toBe('1203');
  });

  it('applies watch events to the cache and publishes them', async () => {
    const client = new FakeApiClient();
    await client.create(resources.Pods, pod('a'));
    const informer = makeFactory(client).informerFor(resources.Pods);
    await informer.start();
    const seen: Array<[string, string]> = [];
    const sub = informer.events.subscribe((e) => seen.push([e.type, e.object.metadata?.name ?? '']));
    expect(seen).toEqual([['added', 'a']]);
    await until(() => client.activeWatches === 1, 'watch');
    await client.create(resources.Pods, pod('b'));
    const a = await client.get(resources.Pods, 'a', { namespace: 'default' });
    await client.update(resources.Pods, { ...a, metadata: { ...a.metadata, labels: { x: 'y' } } });
    await client.delete(resources.Pods, 'b', { namespace: 'default' });
    await until(() => seen.length === 4, 'events');
    expect(seen).toEqual([
      ['added', 'a'],
      ['added', 'b'],
      ['updated', 'a'],
      ['deleted', 'b'],
    ]);
    expect(informer.cache.get('a', 'default')?.metadata?.labels).toEqual({ x: 'y' });
    expect(informer.cache.get('b', 'default')).toBeUndefined();
    client.bookmark(resources.Pods);
    await until(() => informer.resourceVersion === String(client.currentRevision), 'bookmark');
    sub.unsubscribe();
  });

  it('replays the cache as added to each new subscriber', async () => {
    const client = new FakeApiClient();
    await client.create(resources.Pods, pod('a'));
    await client.create(resources.Pods, pod('b'));
    const informer = makeFactory(client).informerFor(resources.Pods);
    await informer.start();
    for (let i = 0; i < 2; i++) {
      const events: InformerEvent<corev1.Pod>[] = [];
      informer.events.subscribe((e) => events.push(e)).unsubscribe();
      expect(events.map((e) => `${e.type}:${e.object.metadata?.name}`).sort()).toEqual([
        'added:a',
        'added:b',
      ]);
    }
  });

  it('relists on Gone and diffs so subscribers converge', async () => {
    const client = new FakeApiClient();
    await client.create(resources.Pods, pod('keep'));
    await client.create(resources.Pods, pod('change'));
    await client.create(resources.Pods, pod('remove'));
    const informer = makeFactory(client).informerFor(resources.Pods);
    await informer.start();
    await until(() => client.activeWatches === 1, 'watch');
    const mirror = new Map<string, string | undefined>();
    informer.events.subscribe((e) => {
      if (e.type === 'deleted') mirror.delete(e.object.metadata?.name ?? '');
      else mirror.set(e.object.metadata?.name ?? '', e.object.metadata?.resourceVersion);
    });
    // The watch breaks, changes happen meanwhile, and the history is compacted away.
    client.breakWatches(errors.gone('expired'));
    client.watchFailures.push(errors.gone('too old'));
    const c = await client.get(resources.Pods, 'change', { namespace: 'default' });
    await client.update(resources.Pods, { ...c, metadata: { ...c.metadata, labels: { v: '2' } } });
    await client.delete(resources.Pods, 'remove', { namespace: 'default' });
    await client.create(resources.Pods, pod('new'));
    client.compact();
    await until(
      () => informer.cache.size === 3 && informer.cache.get('new', 'default') !== undefined,
      'relist',
    );
    const expected = new Map(
      client.all(resources.Pods).map((p) => [p.metadata?.name ?? '', p.metadata?.resourceVersion]),
    );
    await until(() => mirror.size === expected.size, 'mirror');
    expect(mirror).toEqual(expected);
    expect(informer.cache.get('change', 'default')?.metadata?.labels).toEqual({ v: '2' });
    expect(client.calls.filter((x) => x.verb === 'list').length).toBeGreaterThanOrEqual(2);
  });

  it('retries other errors with bounded, growing, jittered backoff', async () => {
    const client = new FakeApiClient();
    await client.create(resources.Pods, pod('a'));
    const { delays, delay } = instantDelays();
    for (let i = 0; i < 8; i++) client.listFailures.push(new ApiError('Unavailable', 'apiserver down'));
    const informer = makeFactory(client, { delay, random: () => 0.5 }).informerFor(resources.Pods);
    await informer.start();
    expect(informer.cache.size).toBe(1);
    // Equal jitter with random 0.5 gives 3/4 of min(30 s, 1 s × 2^n).
    expect(delays).toEqual([750, 1500, 3000, 6000, 12000, 22500, 22500, 22500]);
    const { delays: d2, delay: delay2 } = instantDelays();
    client.listFailures.push(new Error('boom'));
    const lo = makeFactory(client, { delay: delay2, random: () => 0 }).informerFor(resources.Pods, {
      namespace: 'default',
    });
    await lo.start();
    expect(d2).toEqual([500]);
  });

  it('retries a failed watch from the last version without relisting', async () => {
    const client = new FakeApiClient();
    await client.create(resources.Pods, pod('a'));
    const { delays, delay } = instantDelays();
    client.watchFailures.push(new ApiError('Unavailable', 'connection reset'));
    const informer = makeFactory(client, { delay }).informerFor(resources.Pods);
    await informer.start();
    await until(() => client.activeWatches === 1, 'watch');
    expect(delays.length).toBe(1);
    expect(client.calls.filter((c) => c.verb === 'list').length).toBe(1);
    await client.create(resources.Pods, pod('b'));
    await until(() => informer.cache.size === 2, 'event after retry');
  });

  it('indexes by namespace, owner uid, node name and custom indexes', async () => {
    const client = new FakeApiClient();
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true };
    await client.create(
      resources.Pods,
      pod('a', { metadata: { ownerReferences: [owner] }, spec: { containers: [], nodeName: 'n1' } }),
    );
    await client.create(resources.Pods, pod('b', { spec: { containers: [], nodeName: 'n1' } }, 'other'));
    await client.create(resources.Pods, pod('c', { metadata: { labels: { app: 'web' } } }));
    const informer = makeFactory(client).informerFor(resources.Pods);
    informer.addIndex('app', (p) => (p.metadata?.labels?.['app'] ? [p.metadata.labels['app']] : []));
    expect(() => {
      informer.addIndex('app', () => []);
    }).toThrow(ApiError);
    await informer.start();
    const names = (ps: readonly corev1.Pod[]): string[] => ps.map((p) => p.metadata?.name ?? '').sort();
    expect(names(informer.cache.list('default'))).toEqual(['a', 'c']);
    expect(names(informer.cache.list())).toEqual(['a', 'b', 'c']);
    expect(names(informer.cache.byIndex(builtinIndexes.ownerUid, 'rs-uid'))).toEqual(['a']);
    expect(names(informer.cache.byIndex(builtinIndexes.nodeName, 'n1'))).toEqual(['a', 'b']);
    expect(names(informer.cache.byIndex(builtinIndexes.nodeName, ''))).toEqual(['c']);
    expect(names(informer.cache.byIndex('app', 'web'))).toEqual(['c']);
    expect(() => informer.cache.byIndex('nope', 'x')).toThrow(ApiError);
    await until(() => client.activeWatches === 1, 'watch');
    const a = await client.get(resources.Pods, 'a', { namespace: 'default' });
    await client.update(resources.Pods, { ...a, spec: { containers: [], nodeName: 'n2' } });
    await until(() => informer.cache.byIndex(builtinIndexes.nodeName, 'n2').length === 1, 'reindex');
    expect(names(informer.cache.byIndex(builtinIndexes.nodeName, 'n1'))).toEqual(['b']);
  });

  it('scopes list and watch to a namespace and selectors', async () => {
    const client = new FakeApiClient();
    await client.create(resources.Pods, pod('a', { metadata: { labels: { app: 'web' } } }));
    await client.create(resources.Pods, pod('b'));
    await client.create(resources.Pods, pod('c', { metadata: { labels: { app: 'web' } } }, 'other'));
    const informer = makeFactory(client).informerFor(resources.Pods, {
      namespace: 'default',
      labelSelector: 'app=web',
    });
    await informer.start();
    expect(informer.cache.list().map((p) => p.metadata?.name)).toEqual(['a']);
    expect(client.calls.find((c) => c.verb === 'list')?.options).toMatchObject({
      namespace: 'default',
      labelSelector: 'app=web',
    });
  });

  it('stop closes the watch and completes events', async () => {
    const client = new FakeApiClient();
    const informer = makeFactory(client).informerFor(resources.Pods);
    await informer.start();
    await until(() => client.activeWatches === 1, 'watch');
    let completed = false;
    informer.events.subscribe({ complete: () => (completed = true) });
    await informer.stop();
    expect(client.activeWatches).toBe(0);
    expect(completed).toBe(true);
    await expect(informer.start()).rejects.toThrow(ApiError);
  });

  it('stop interrupts a backoff and unblocks start', async () => {
    const client = new FakeApiClient();
    client.listFailures.push(new ApiError('Unavailable', 'down'));
    const never = (): Promise<void> => new Promise(() => undefined);
    const informer = makeFactory(client, { delay: never }).informerFor(resources.Pods);
    const started = informer.start();
    await until(() => client.calls.length === 1, 'first list');
    await informer.stop();
    await started;
    expect(informer.hasSynced()).toBe(false);
  });
});
