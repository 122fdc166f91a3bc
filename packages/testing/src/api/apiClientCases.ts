import { expect, it } from '@jest/globals';
import {
  ApiError,
  resources,
  type appsv1,
  type corev1,
  type KubeObject,
  type WatchEvent,
} from '@tugboat/core';
import { filter, firstValueFrom, take, timeout, toArray, type Observable } from 'rxjs';

import { expectApiError } from '../store/storeHelpers.js';
import type { ApiClientConformanceSetup } from './ApiClientConformanceFactory.js';

const Pods = resources.Pods;
const ConfigMaps = resources.ConfigMaps;
const Deployments = resources.Deployments;
const Namespaces = resources.Namespaces;
const deadline = 10_000;

function pod(name: string, labels: Record<string, string> = {}): corev1.Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: {
      containers: [
        { name: 'app', image: 'busybox:1.35' },
        { name: 'side', image: 'busybox:1.35' },
      ],
    },
  };
}

function deployment(name: string): appsv1.Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'busybox:1.35' }] },
      },
    },
  };
}

/** The first `count` events of a watch matching `pred`, failing after a deadline. */
function events<T extends KubeObject>(
  watch: Observable<WatchEvent<T>>,
  count: number,
  pred: (e: WatchEvent<T>) => boolean = () => true,
): Promise<WatchEvent<T>[]> {
  return firstValueFrom(watch.pipe(filter(pred), take(count), toArray(), timeout(deadline)));
}

/** Polls `condition` until it holds, failing after a deadline. */
async function until(condition: () => boolean): Promise<void> {
  const end = Date.now() + deadline;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The cases of the ApiClient conformance suite. */
export function apiClientCases(ctx: () => ApiClientConformanceSetup): void {
  it('creates an object and reads it back with server-set metadata', async () => {
    const { client } = ctx();
    const created = await client.create(Pods, pod('a'));
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.resourceVersion).toBeTruthy();
    expect(created.metadata?.creationTimestamp).toBeTruthy();
    const read = await client.get(Pods, 'a', { namespace: 'default' });
    expect(read.metadata?.uid).toBe(created.metadata?.uid);
    expect(read.kind).toBe('Pod');
    expect(read.apiVersion).toBe('v1');
  });

  it('reports NotFound, AlreadyExists and Conflict with their codes', async () => {
    const { client } = ctx();
    await expectApiError(() => client.get(Pods, 'missing', { namespace: 'default' }), 'NotFound');
    const created = await client.create(ConfigMaps, {
      metadata: { name: 'c', namespace: 'default' },
      data: { a: '1' },
    });
    await expectApiError(
      () => client.create(ConfigMaps, { metadata: { name: 'c', namespace: 'default' } }),
      'AlreadyExists',
    );
    await client.update(ConfigMaps, { ...created, data: { a: '2' } });
    await expectApiError(() => client.update(ConfigMaps, { ...created, data: { a: '3' } }), 'Conflict');
    const now = await client.get(ConfigMaps, 'c', { namespace: 'default' });
    expect(now.data).toEqual({ a: '2' });
  });

  it('rejects an invalid object with Invalid and a cause per field, storing nothing', async () => {
    const { client } = ctx();
    const bad = pod('bad');
    bad.spec = { containers: [{ name: 'app', image: '' }] };
    const err = await expectApiError(() => client.create(Pods, bad), 'Invalid');
    expect(err.details.causes?.some((c) => c.field?.includes('image'))).toBe(true);
    await expectApiError(() => client.get(Pods, 'bad', { namespace: 'default' }), 'NotFound');
  });

  it('lists with label and field selectors', async () => {
    const { client } = ctx();
    await client.create(Pods, pod('x', { tier: 'web' }));
    await client.create(Pods, pod('y', { tier: 'db' }));
    const web = await client.list(Pods, { namespace: 'default', labelSelector: 'tier=web' });
    expect(web.items.map((p) => p.metadata?.name)).toEqual(['x']);
    const byName = await client.list(Pods, { namespace: 'default', fieldSelector: 'metadata.name=y' });
    expect(byName.items.map((p) => p.metadata?.name)).toEqual(['y']);
    const all = await client.list(Pods, {});
    expect(all.items).toHaveLength(2);
    expect(all.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  it('applies merge, JSON and strategic merge patches', async () => {
    const { client } = ctx();
    await client.create(Pods, pod('p'));
    await client.patch(Pods, 'p', 'merge', { metadata: { labels: { a: '1' } } }, { namespace: 'default' });
    await client.patch(Pods, 'p', 'json', [{ op: 'add', path: '/metadata/labels/b', value: '2' }], {
      namespace: 'default',
    });
    const patched = await client.patch(
      Pods,
      'p',
      'strategic',
      { spec: { containers: [{ name: 'side', image: 'busybox:1.36' }] } },
      { namespace: 'default' },
    );
    expect(patched.metadata?.labels).toEqual({ a: '1', b: '2' });
    expect(patched.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual([
      'app=busybox:1.35',
      'side=busybox:1.36',
    ]);
  });

  it('keeps nothing on a dry run', async () => {
    const { client } = ctx();
    const created = await client.create(
      ConfigMaps,
      { metadata: { name: 'dry', namespace: 'default' } },
      { dryRun: true },
    );
    expect(created.metadata?.name).toBe('dry');
    await expectApiError(() => client.get(ConfigMaps, 'dry', { namespace: 'default' }), 'NotFound');
  });

  it('deletes with preconditions and reports the object gone', async () => {
    const { client } = ctx();
    const cm = await client.create(ConfigMaps, { metadata: { name: 'd', namespace: 'default' } });
    await expectApiError(
      () => client.delete(ConfigMaps, 'd', { namespace: 'default', preconditions: { uid: 'other' } }),
      'Conflict',
    );
    await client.delete(ConfigMaps, 'd', {
      namespace: 'default',
      preconditions: { uid: cm.metadata?.uid ?? '' },
    });
    await expectApiError(() => client.get(ConfigMaps, 'd', { namespace: 'default' }), 'NotFound');
    await expectApiError(() => client.delete(ConfigMaps, 'd', { namespace: 'default' }), 'NotFound');
  });

  it('serves cluster-scoped resources', async () => {
    const { client } = ctx();
    await client.create(Namespaces, { metadata: { name: 'team-a' } });
    const list = await client.list(Namespaces, { fieldSelector: 'metadata.name=team-a' });
    expect(list.items).toHaveLength(1);
  });

  it('updates status and scale through their subresources', async () => {
    const { client } = ctx();
    const d = await client.create(Deployments, deployment('web'));
    const withStatus = await client.updateStatus(Deployments, {
      ...d,
      status: { observedGeneration: 1, replicas: 1 },
    });
    expect(withStatus.status?.replicas).toBe(1);
    const scale = await client.getSubresource<{ spec: { replicas: number } }>(Deployments, 'web', 'scale', {
      namespace: 'default',
    });
    expect(scale.spec.replicas).toBe(1);
    await client.updateSubresource(
      Deployments,
      'web',
      'scale',
      { ...scale, spec: { replicas: 3 } },
      { namespace: 'default' },
    );
    const after = await client.get(Deployments, 'web', { namespace: 'default' });
    expect(after.spec?.replicas).toBe(3);
  });

  it('watches from the start: current objects as ADDED, then changes in order', async () => {
    const { client } = ctx();
    await client.create(ConfigMaps, { metadata: { name: 'w1', namespace: 'default' } });
    const got: string[] = [];
    const sub = client
      .watch(ConfigMaps, { namespace: 'default' })
      .subscribe((e) =>
        got.push(`${e.type} ${e.object.metadata?.name} ${JSON.stringify(e.object.data ?? {})}`),
      );
    try {
      await until(() => got.length >= 1);
      const cm = await client.get(ConfigMaps, 'w1', { namespace: 'default' });
      await client.update(ConfigMaps, { ...cm, data: { k: 'v' } });
      await client.delete(ConfigMaps, 'w1', { namespace: 'default' });
      await until(() => got.length >= 3);
      expect(got).toEqual(['ADDED w1 {}', 'MODIFIED w1 {"k":"v"}', 'DELETED w1 {"k":"v"}']);
    } finally {
      sub.unsubscribe();
    }
  });

  it('watches from a resourceVersion: only later changes, filtered by selectors', async () => {
    const { client } = ctx();
    const before = await client.create(ConfigMaps, {
      metadata: { name: 'old', namespace: 'default', labels: { w: 'y' } },
    });
    const seen = events(
      client.watch(ConfigMaps, {
        namespace: 'default',
        resourceVersion: before.metadata?.resourceVersion ?? '',
        labelSelector: 'w=y',
      }),
      1,
    );
    await client.create(ConfigMaps, {
      metadata: { name: 'other', namespace: 'default', labels: { w: 'n' } },
    });
    await client.create(ConfigMaps, { metadata: { name: 'new', namespace: 'default', labels: { w: 'y' } } });
    expect((await seen).map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED new']);
  });

  it('ends a watch from a compacted resourceVersion with Gone on the error channel', async () => {
    const setup = ctx();
    const first = await setup.client.create(ConfigMaps, { metadata: { name: 'g1', namespace: 'default' } });
    await setup.client.create(ConfigMaps, { metadata: { name: 'g2', namespace: 'default' } });
    await setup.client.create(ConfigMaps, { metadata: { name: 'g3', namespace: 'default' } });
    await setup.compact();
    const outcome = await firstValueFrom(
      setup.client
        .watch(ConfigMaps, { namespace: 'default', resourceVersion: first.metadata?.resourceVersion ?? '' })
        .pipe(toArray(), timeout(deadline)),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(ApiError.is(outcome, 'Gone')).toBe(true);
  });

  it('stops delivering events once unsubscribed', async () => {
    const { client } = ctx();
    const got: string[] = [];
    const sub = client
      .watch(ConfigMaps, { namespace: 'default' })
      .subscribe((e) => got.push(e.object.metadata?.name ?? ''));
    sub.unsubscribe();
    await client.create(ConfigMaps, { metadata: { name: 'late', namespace: 'default' } });
    // A second watch that sees the write proves the write happened; the first must have stayed silent.
    await events(client.watch(ConfigMaps, { namespace: 'default' }), 1);
    expect(got).toEqual([]);
  });
}
