import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  controllerOf,
  defineResource,
  resources,
  type appsv1,
  type corev1,
  type KubeObject,
} from '@tugboat/core';

import { podTemplate, startCluster, until, type TestCluster } from './harness.js';

const { Pods, ReplicaSets, Deployments, ConfigMaps, CustomResourceDefinitions } = resources;
const ns = 'default';

interface Widget extends KubeObject {
  spec?: { size?: number };
}
const Widgets = defineResource<Widget>({
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});

function replicaSet(name: string, replicas: number): appsv1.ReplicaSet {
  return {
    metadata: { name, namespace: ns },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }) },
  };
}

async function withPods(
  c: TestCluster,
  name: string,
  replicas: number,
): Promise<{ rs: appsv1.ReplicaSet; pods: corev1.Pod[] }> {
  const rs = await c.api.create(ReplicaSets, replicaSet(name, replicas));
  const pods = await until(async () => {
    const p = (await c.api.list(Pods, { namespace: ns, labelSelector: `app=${name}` })).items;
    return p.length === replicas ? p : undefined;
  });
  return { rs, pods };
}

const gone = async (c: TestCluster, labelSelector: string): Promise<true | undefined> =>
  (await c.api.list(Pods, { namespace: ns, labelSelector })).items.length === 0 ? true : undefined;

describe('garbage collector', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster(['replicaset', 'deployment', 'garbagecollector']);
  });
  afterAll(async () => {
    await c.stop();
  });

  it('background: deleting an owner collects its dependents afterwards', async () => {
    await withPods(c, 'bg', 3);
    await c.api.delete(ReplicaSets, 'bg', { namespace: ns, propagationPolicy: 'Background' });
    await expect(c.api.get(ReplicaSets, 'bg', { namespace: ns })).rejects.toMatchObject({ code: 'NotFound' });
    await until(() => gone(c, 'app=bg'), 15_000, 'pods collected');
  });

  it('foreground: the owner stays until its blocking dependents are gone', async () => {
    await withPods(c, 'fg', 3);
    const order: string[] = [];
    const subs = [
      c.api
        .watch(Pods, {
          namespace: ns,
          labelSelector: 'app=fg',
          resourceVersion: (await c.api.list(Pods, { namespace: ns })).metadata.resourceVersion,
        })
        .subscribe((e) => {
          if (e.type === 'DELETED') order.push('pod');
        }),
      c.api
        .watch(ReplicaSets, {
          namespace: ns,
          fieldSelector: 'metadata.name=fg',
          resourceVersion: (await c.api.list(ReplicaSets, { namespace: ns })).metadata.resourceVersion,
        })
        .subscribe((e) => {
          if (e.type === 'DELETED') order.push('rs');
        }),
    ];
    try {
      const marked = (await c.api.delete(ReplicaSets, 'fg', {
        namespace: ns,
        propagationPolicy: 'Foreground',
      })) as appsv1.ReplicaSet;
      expect(marked.metadata?.finalizers).toContain('foregroundDeletion');
      await until(() => (order.includes('rs') ? true : undefined), 15_000, 'owner deleted');
      await until(() => gone(c, 'app=fg'));
    } finally {
      for (const s of subs) s.unsubscribe();
    }
    expect(order).toEqual(['pod', 'pod', 'pod', 'rs']);
  });

  it('orphan: dependents lose the owner reference and stay', async () => {
    const { pods } = await withPods(c, 'or', 2);
    await c.api.delete(ReplicaSets, 'or', { namespace: ns, propagationPolicy: 'Orphan' });
    await until(
      async () => {
        try {
          await c.api.get(ReplicaSets, 'or', { namespace: ns });
          return undefined;
        } catch {
          return true;
        }
      },
      15_000,
      'owner deleted',
    );
    const left = (await c.api.list(Pods, { namespace: ns, labelSelector: 'app=or' })).items;
    expect(left.map((p) => p.metadata?.uid).sort()).toEqual(pods.map((p) => p.metadata?.uid).sort());
    for (const p of left) expect(p.metadata?.ownerReferences ?? []).toEqual([]);
  });

  it('collects an object whose owner never existed and keeps one whose owner exists', async () => {
    const owner = await c.api.create(ConfigMaps, { metadata: { name: 'owner', namespace: ns } });
    const ref = (name: string, uid: string) => [{ apiVersion: 'v1', kind: 'ConfigMap', name, uid }];
    await c.api.create(ConfigMaps, {
      metadata: { name: 'dangling', namespace: ns, ownerReferences: ref('nobody', 'no-such-uid') },
    });
    await c.api.create(ConfigMaps, {
      metadata: { name: 'kept', namespace: ns, ownerReferences: ref('owner', owner.metadata?.uid ?? '') },
    });
    await until(
      async () => {
        const names = (await c.api.list(ConfigMaps, { namespace: ns })).items.map((x) => x.metadata?.name);
        return names.includes('dangling') ? undefined : true;
      },
      15_000,
      'dangling collected',
    );
    expect((await c.api.get(ConfigMaps, 'kept', { namespace: ns })).metadata?.name).toBe('kept');
  });

  it('deleting a Deployment removes its ReplicaSets and pods', async () => {
    const d = await c.api.create(Deployments, {
      metadata: { name: 'cascade', namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'cascade' } },
        template: podTemplate({ app: 'cascade' }),
      },
    });
    await until(async () =>
      (await c.api.list(Pods, { namespace: ns, labelSelector: 'app=cascade' })).items.length === 2
        ? true
        : undefined,
    );
    await c.api.delete(Deployments, 'cascade', { namespace: ns });
    await until(
      async () => {
        const rss = (await c.api.list(ReplicaSets, { namespace: ns })).items.filter(
          (rs) => controllerOf(rs)?.uid === d.metadata?.uid,
        );
        return rss.length === 0 ? true : undefined;
      },
      15_000,
      'ReplicaSets collected',
    );
    await until(() => gone(c, 'app=cascade'), 15_000, 'pods collected');
  });

  it('a Deployment deleted with --cascade=orphan leaves its ReplicaSet, which a new Deployment adopts', async () => {
    const spec = {
      replicas: 2,
      selector: { matchLabels: { app: 'adoptee' } },
      template: podTemplate({ app: 'adoptee' }),
    };
    const first = await c.api.create(Deployments, { metadata: { name: 'adoptee', namespace: ns }, spec });
    const rs = await until(
      async () => {
        const r = (await c.api.list(ReplicaSets, { namespace: ns })).items.find(
          (x) => controllerOf(x)?.uid === first.metadata?.uid,
        );
        return r?.status?.replicas === 2 ? r : undefined;
      },
      15_000,
      'ReplicaSet with two pods',
    );
    await c.api.delete(Deployments, 'adoptee', { namespace: ns, propagationPolicy: 'Orphan' });
    await until(
      async () => {
        const r = await c.api.get(ReplicaSets, rs.metadata?.name ?? '', { namespace: ns });
        return controllerOf(r) === undefined ? true : undefined;
      },
      15_000,
      'ReplicaSet orphaned',
    );
    const second = await c.api.create(Deployments, { metadata: { name: 'adoptee', namespace: ns }, spec });
    const adopted = await until(
      async () => {
        const r = await c.api.get(ReplicaSets, rs.metadata?.name ?? '', { namespace: ns });
        return controllerOf(r)?.uid === second.metadata?.uid ? r : undefined;
      },
      15_000,
      'ReplicaSet adopted',
    );
    expect(adopted.metadata?.uid).toBe(rs.metadata?.uid);
    const owned = (await c.api.list(ReplicaSets, { namespace: ns })).items.filter(
      (x) => controllerOf(x)?.uid === second.metadata?.uid,
    );
    expect(owned).toHaveLength(1);
    expect((await c.api.list(Pods, { namespace: ns, labelSelector: 'app=adoptee' })).items).toHaveLength(2);
  });

  it('follows owners of a custom kind', async () => {
    await c.api.create(CustomResourceDefinitions, {
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    });
    const w = await until(
      () => c.api.create(Widgets, { metadata: { name: 'w', namespace: ns }, spec: { size: 1 } }),
      15_000,
      'CRD served',
    );
    await c.api.create(ConfigMaps, {
      metadata: {
        name: 'of-widget',
        namespace: ns,
        ownerReferences: [
          { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: w.metadata?.uid ?? '' },
        ],
      },
    });
    await c.api.delete(Widgets, 'w', { namespace: ns });
    await until(
      async () => {
        const names = (await c.api.list(ConfigMaps, { namespace: ns })).items.map((x) => x.metadata?.name);
        return names.includes('of-widget') ? undefined : true;
      },
      15_000,
      'dependent of a custom object collected',
    );
  });
});
