import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, controllerOf, resources, type appsv1, type corev1 } from '@tugboat/core';

import { podTemplate, startCluster, until, type TestCluster } from './harness.js';

const { Pods, ReplicaSets, Events } = resources;

function replicaSet(
  name: string,
  ns: string,
  replicas: number,
  labels: Record<string, string>,
): appsv1.ReplicaSet {
  return {
    metadata: { name, namespace: ns },
    spec: { replicas, selector: { matchLabels: labels }, template: podTemplate(labels) },
  };
}

async function podsOf(c: TestCluster, ns: string, rs: appsv1.ReplicaSet): Promise<corev1.Pod[]> {
  const list = await c.api.list(Pods, { namespace: ns });
  return list.items.filter(
    (p) => controllerOf(p)?.uid === rs.metadata?.uid && !p.metadata?.deletionTimestamp,
  );
}

describe('ReplicaSet controller', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster(['replicaset']);
  });
  afterAll(async () => {
    await c.stop();
  });

  it('creates the replicas with a controller ownerReference, records events and reports status', async () => {
    const rs = await c.api.create(ReplicaSets, replicaSet('web', 'default', 3, { app: 'web' }));
    const pods = await until(async () => {
      const p = await podsOf(c, 'default', rs);
      return p.length === 3 ? p : undefined;
    });
    for (const p of pods) {
      expect(p.metadata?.name).toMatch(/^web-/);
      expect(controllerOf(p)).toMatchObject({ kind: 'ReplicaSet', name: 'web', blockOwnerDeletion: true });
    }
    // Pods turn ready as a node would report them.
    for (const p of pods) {
      await c.api.updateStatus(Pods, {
        ...p,
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      });
    }
    const status = await until(async () => {
      const s = (await c.api.get(ReplicaSets, 'web', { namespace: 'default' })).status;
      return s?.availableReplicas === 3 ? s : undefined;
    });
    expect(status).toMatchObject({
      replicas: 3,
      fullyLabeledReplicas: 3,
      readyReplicas: 3,
      observedGeneration: 1,
    });
    const events = await until(async () => {
      const e = (await c.api.list(Events, { namespace: 'default' })).items.filter(
        (x) => x.involvedObject.name === 'web' && x.reason === 'SuccessfulCreate',
      );
      return e.length === 3 ? e : undefined;
    });
    expect(events[0]?.message).toMatch(/^Created pod: web-/);
  });

  it('scales down by deleting not-ready pods before ready ones', async () => {
    const rs = await c.api.create(ReplicaSets, replicaSet('rank', 'default', 3, { app: 'rank' }));
    const pods = await until(async () => {
      const p = await podsOf(c, 'default', rs);
      return p.length === 3 ? p : undefined;
    });
    const [a, b, notReady] = pods as [corev1.Pod, corev1.Pod, corev1.Pod];
    for (const p of [a, b]) {
      await c.api.updateStatus(Pods, {
        ...p,
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      });
    }
    await c.api.patch(ReplicaSets, 'rank', 'merge', { spec: { replicas: 2 } }, { namespace: 'default' });
    const left = await until(async () => {
      const p = await podsOf(c, 'default', rs);
      return p.length === 2 ? p : undefined;
    });
    expect(left.map((p) => p.metadata?.name).sort()).toEqual([a.metadata?.name, b.metadata?.name].sort());
    expect(left.map((p) => p.metadata?.name)).not.toContain(notReady.metadata?.name);
  });

  it('adopts a matching orphan and releases a pod that stops matching', async () => {
    const orphan = await c.api.create(Pods, {
      metadata: { name: 'orphan', namespace: 'default', labels: { app: 'adopt' } },
      spec: { containers: [{ name: 'c', image: 'busybox:1' }] },
    });
    const rs = await c.api.create(ReplicaSets, replicaSet('adopt', 'default', 2, { app: 'adopt' }));
    const pods = await until(async () => {
      const p = await podsOf(c, 'default', rs);
      return p.length === 2 ? p : undefined;
    });
    expect(pods.map((p) => p.metadata?.name)).toContain('orphan');
    await c.api.patch(
      Pods,
      'orphan',
      'merge',
      { metadata: { labels: { app: 'gone' } } },
      { namespace: 'default' },
    );
    const released = await until(async () => {
      const p = await c.api.get(Pods, 'orphan', { namespace: 'default' });
      return controllerOf(p) === undefined ? p : undefined;
    });
    expect(released.metadata?.uid).toBe(orphan.metadata?.uid);
    const replaced = await until(async () => {
      const p = await podsOf(c, 'default', rs);
      return p.length === 2 && !p.some((x) => x.metadata?.name === 'orphan') ? p : undefined;
    });
    expect(replaced).toHaveLength(2);
  });

  it('never exceeds the largest requested count under concurrent scale changes', async () => {
    const rs = await c.api.create(ReplicaSets, replicaSet('hammer', 'default', 0, { app: 'hammer' }));
    const live = new Set<string>();
    let peak = 0;
    const sub = c.api.watch(Pods, { namespace: 'default', labelSelector: 'app=hammer' }).subscribe((e) => {
      const uid = e.object.metadata?.uid ?? '';
      if (e.type === 'DELETED' || e.object.metadata?.deletionTimestamp) live.delete(uid);
      else if (e.type === 'ADDED' || e.type === 'MODIFIED') live.add(uid);
      peak = Math.max(peak, live.size);
    });
    try {
      const bound = 6;
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        const replicas = (i * 7) % (bound + 1);
        writes.push(
          c.api.patch(ReplicaSets, 'hammer', 'merge', { spec: { replicas } }, { namespace: 'default' }),
        );
        // Read-modify-write with a stale resourceVersion meets a typed Conflict and changes nothing.
        writes.push(
          c.api
            .update(ReplicaSets, { ...rs, spec: { ...rs.spec!, replicas: 1 } }, { namespace: 'default' })
            .then(
              () => 'ok',
              (err: unknown) => {
                if (ApiError.is(err, 'Conflict')) return 'conflict';
                throw err;
              },
            ),
        );
        if (i % 5 === 0) await new Promise((r) => setImmediate(r));
      }
      const results = await Promise.all(writes);
      expect(results.filter((r) => r === 'conflict').length).toBeGreaterThan(0);
      // Bad input: a negative count is rejected and the last good spec is kept.
      const before = await c.api.get(ReplicaSets, 'hammer', { namespace: 'default' });
      await expect(
        c.api.patch(ReplicaSets, 'hammer', 'merge', { spec: { replicas: -1 } }, { namespace: 'default' }),
      ).rejects.toMatchObject({ code: 'Invalid' });
      expect((await c.api.get(ReplicaSets, 'hammer', { namespace: 'default' })).spec?.replicas).toBe(
        before.spec?.replicas,
      );
      await c.api.patch(ReplicaSets, 'hammer', 'merge', { spec: { replicas: 4 } }, { namespace: 'default' });
      await until(async () => {
        const p = await podsOf(c, 'default', rs);
        const s = (await c.api.get(ReplicaSets, 'hammer', { namespace: 'default' })).status;
        return p.length === 4 && live.size === 4 && s?.replicas === 4 ? true : undefined;
      });
      expect(peak).toBeLessThanOrEqual(bound);
    } finally {
      sub.unsubscribe();
    }
  });
});
