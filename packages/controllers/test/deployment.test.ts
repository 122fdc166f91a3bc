import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  controllerOf,
  getCondition,
  isBeingDeleted,
  resources,
  type appsv1,
  type corev1,
} from '@tugboat/core';

import { podTemplate, startCluster, until, type TestCluster } from './harness.js';

const { Deployments, ReplicaSets, Pods, Events } = resources;
const ns = 'default';

function deployment(
  name: string,
  replicas: number,
  extra: Partial<appsv1.DeploymentSpec> = {},
): appsv1.Deployment {
  return {
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: podTemplate({ app: name }, 'img:1'),
      ...extra,
    },
  };
}

async function complete(c: TestCluster, name: string, generation?: number): Promise<appsv1.Deployment> {
  return until(
    async () => {
      const d = await c.api.get(Deployments, name, { namespace: ns });
      const s = d.status;
      const want = d.spec?.replicas ?? 1;
      const ok =
        (s?.observedGeneration ?? 0) >= (generation ?? d.metadata?.generation ?? 0) &&
        s?.updatedReplicas === want &&
        s.replicas === want &&
        s.availableReplicas === want &&
        getCondition(s.conditions, 'Progressing')?.reason === 'NewReplicaSetAvailable';
      return ok ? d : undefined;
    },
    20_000,
    `deployment ${name} complete`,
  );
}

async function replicaSetsOf(c: TestCluster, d: appsv1.Deployment): Promise<appsv1.ReplicaSet[]> {
  const list = await c.api.list(ReplicaSets, { namespace: ns });
  return list.items.filter((rs) => controllerOf(rs)?.uid === d.metadata?.uid);
}

const image = (x: appsv1.ReplicaSet | appsv1.Deployment): string | undefined =>
  x.spec?.template?.spec?.containers[0]?.image;
const podImage = (p: corev1.Pod): string | undefined => p.spec?.containers[0]?.image;

describe('Deployment controller', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster(['replicaset', 'deployment']);
    c.startFakeKubelet((pod) => pod.metadata?.labels?.['app'] !== 'stuck');
  });
  afterAll(async () => {
    await c.stop();
  });

  it('rolls out a ReplicaSet named by the pod-template-hash, with revision, conditions and events', async () => {
    await c.api.create(Deployments, deployment('web', 3));
    const d = await complete(c, 'web');
    const [rs, ...more] = await replicaSetsOf(c, d);
    expect(more).toHaveLength(0);
    const hash = rs?.metadata?.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs?.metadata?.name).toBe(`web-${hash}`);
    expect(rs?.spec?.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs?.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    expect(d.status?.unavailableReplicas ?? 0).toBe(0);
    expect(getCondition(d.status?.conditions, 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    expect(getCondition(d.status?.conditions, 'Progressing')).toMatchObject({
      status: 'True',
      message: `ReplicaSet "web-${hash}" has successfully progressed.`,
    });
    await until(async () => {
      const e = await c.api.list(Events, { namespace: ns });
      return (
        e.items.some(
          (x) =>
            x.reason === 'ScalingReplicaSet' && x.message === `Scaled up replica set web-${hash} to 3 from 0`,
        ) || undefined
      );
    });
  });

  it('scales through the scale subresource, as kubectl scale does', async () => {
    const before = await complete(c, 'web');
    const hash = (await replicaSetsOf(c, before))[0]?.metadata?.labels?.['pod-template-hash'] ?? '';
    await c.api.updateSubresource(
      Deployments,
      'web',
      'scale',
      { metadata: { name: 'web', namespace: ns }, spec: { replicas: 5 } },
      { namespace: ns },
    );
    const after = await until(
      async () => {
        const d = await complete(c, 'web');
        return d.spec?.replicas === 5 ? d : undefined;
      },
      20_000,
      'scaled to 5',
    );
    const rss = await replicaSetsOf(c, after);
    expect(rss.map((rs) => rs.spec?.replicas)).toEqual([5]);
    expect(after.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    await until(
      async () => {
        const e = await c.api.list(Events, { namespace: ns });
        return (
          e.items.some((x) => x.message === `Scaled up replica set web-${hash} to 5 from 3`) || undefined
        );
      },
      15_000,
      'scaling event',
    );
  });

  it('counts a pod available only once it has been ready for minReadySeconds', async () => {
    await c.api.create(Deployments, deployment('slow', 2, { minReadySeconds: 1 }));
    const d = await complete(c, 'slow');
    const [rs] = await replicaSetsOf(c, d);
    expect(rs?.spec?.minReadySeconds).toBe(1);
    const pods = (await c.api.list(Pods, { namespace: ns, labelSelector: 'app=slow' })).items;
    for (const p of pods) {
      const since = Date.parse(getCondition(p.status?.conditions, 'Ready')?.lastTransitionTime ?? '');
      expect(Date.now() - since).toBeGreaterThanOrEqual(1000);
    }
  });

  it('keeps a rolling update within maxSurge and maxUnavailable at every observed moment, then rolls back', async () => {
    await c.api.create(
      Deployments,
      deployment('roll', 4, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      }),
    );
    const first = await complete(c, 'roll');
    const pods = new Map<string, corev1.Pod>();
    const violations: string[] = [];
    let checking = false;
    const sub = c.api.watch(Pods, { namespace: ns, labelSelector: 'app=roll' }).subscribe((e) => {
      const uid = e.object.metadata?.uid ?? '';
      if (e.type === 'DELETED' || isBeingDeleted(e.object)) pods.delete(uid);
      else if (e.type === 'ADDED' || e.type === 'MODIFIED') pods.set(uid, e.object);
      else return;
      if (!checking) return;
      const all = [...pods.values()];
      const ready = all.filter((p) => getCondition(p.status?.conditions, 'Ready')?.status === 'True').length;
      if (all.length > 5) violations.push(`${all.length} pods exceed replicas + maxSurge`);
      if (ready < 3) violations.push(`${ready} ready pods is below replicas - maxUnavailable`);
    });
    try {
      // Let the watch catch up with the four running pods before the rollout starts.
      await until(() => (pods.size === 4 ? true : undefined), 15_000, `watch sees 4 pods (${pods.size})`);
      checking = true;
      const v2 = structuredClone(first);
      v2.metadata!.annotations = {
        ...v2.metadata?.annotations,
        'kubernetes.io/change-cause': 'set image to img:2',
      };
      v2.spec!.template.spec!.containers[0]!.image = 'img:2';
      const updated = await c.api.update(Deployments, v2, { namespace: ns });
      const done = await complete(c, 'roll', updated.metadata?.generation);
      expect(done.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
      const rss = await replicaSetsOf(c, done);
      const newRS = rss.find((rs) => image(rs) === 'img:2');
      const oldRS = rss.find((rs) => image(rs) === 'img:1');
      expect(newRS?.metadata?.annotations?.['kubernetes.io/change-cause']).toBe('set image to img:2');
      expect(oldRS?.spec?.replicas).toBe(0);
      await until(
        () =>
          [...pods.values()].every((p) => podImage(p) === 'img:2') && pods.size === 4 ? true : undefined,
        15_000,
        'pods on the new image',
      );

      // Rollback: the template returns to img:1, the old ReplicaSet is reused as revision 3.
      const back = await c.api.patch(
        Deployments,
        'roll',
        'strategic',
        { spec: { template: { spec: { containers: [{ name: 'c', image: 'img:1' }] } } } },
        { namespace: ns },
      );
      const rolledBack = await complete(c, 'roll', back.metadata?.generation);
      const after = await replicaSetsOf(c, rolledBack);
      expect(after).toHaveLength(2);
      const reused = after.find((rs) => rs.metadata?.uid === oldRS?.metadata?.uid);
      expect(reused?.spec?.replicas).toBe(4);
      expect(reused?.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
      expect(reused?.metadata?.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');
      expect(rolledBack.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
      await until(
        () =>
          [...pods.values()].every((p) => podImage(p) === 'img:1') && pods.size === 4 ? true : undefined,
        15_000,
        'pods on the new image',
      );
    } finally {
      sub.unsubscribe();
    }
    expect(violations).toEqual([]);
  });

  it('keeps percentage bounds (25% surge rounds up, 25% unavailable rounds down) during a larger rollout', async () => {
    await c.api.create(
      Deployments,
      deployment('pct', 10, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      }),
    );
    const first = await complete(c, 'pct');
    const pods = new Map<string, corev1.Pod>();
    let maxPods = 0;
    let minReady = 10;
    let checking = false;
    const sub = c.api.watch(Pods, { namespace: ns, labelSelector: 'app=pct' }).subscribe((e) => {
      const uid = e.object.metadata?.uid ?? '';
      if (e.type === 'DELETED' || isBeingDeleted(e.object)) pods.delete(uid);
      else if (e.type === 'ADDED' || e.type === 'MODIFIED') pods.set(uid, e.object);
      if (!checking) return;
      const all = [...pods.values()];
      maxPods = Math.max(maxPods, all.length);
      minReady = Math.min(
        minReady,
        all.filter((p) => getCondition(p.status?.conditions, 'Ready')?.status === 'True').length,
      );
    });
    try {
      await until(() => (pods.size === 10 ? true : undefined), 15_000, 'watch synced');
      checking = true;
      const v2 = structuredClone(first);
      const container = v2.spec?.template.spec?.containers[0];
      if (container) container.image = 'img:2';
      const updated = await c.api.update(Deployments, v2, { namespace: ns });
      await complete(c, 'pct', updated.metadata?.generation);
      await until(
        () =>
          [...pods.values()].every((p) => podImage(p) === 'img:2') && pods.size === 10 ? true : undefined,
        15_000,
        'all on img:2',
      );
    } finally {
      sub.unsubscribe();
    }
    expect(maxPods).toBeLessThanOrEqual(13); // 10 + ceil(2.5)
    expect(minReady).toBeGreaterThanOrEqual(8); // 10 - floor(2.5)
  });

  it('Recreate removes every old pod before creating new ones', async () => {
    const first = await c.api.create(
      Deployments,
      deployment('recreate', 2, { strategy: { type: 'Recreate' } }),
    );
    await complete(c, 'recreate');
    let overlap = false;
    const images = new Map<string, string>();
    const sub = c.api.watch(Pods, { namespace: ns, labelSelector: 'app=recreate' }).subscribe((e) => {
      const uid = e.object.metadata?.uid ?? '';
      if (e.type === 'DELETED') images.delete(uid);
      else if (e.type === 'ADDED' || e.type === 'MODIFIED') images.set(uid, podImage(e.object) ?? '');
      if (new Set(images.values()).size > 1) overlap = true;
    });
    try {
      const v2 = structuredClone(await c.api.get(Deployments, 'recreate', { namespace: ns }));
      v2.spec!.template.spec!.containers[0]!.image = 'img:2';
      const updated = await c.api.update(Deployments, v2, { namespace: ns });
      await complete(c, 'recreate', updated.metadata?.generation);
      await until(() => ([...images.values()].filter((i) => i === 'img:2').length === 2 ? true : undefined));
    } finally {
      sub.unsubscribe();
    }
    expect(first.spec?.strategy?.type).toBe('Recreate');
    expect(overlap).toBe(false);
  });

  it('pauses and resumes, and scales while paused', async () => {
    await c.api.create(Deployments, deployment('pause', 2));
    await complete(c, 'pause');
    await c.api.patch(Deployments, 'pause', 'merge', { spec: { paused: true } }, { namespace: ns });
    const paused = await c.api.patch(
      Deployments,
      'pause',
      'merge',
      { spec: { replicas: 3, template: { metadata: { labels: { app: 'pause', v: '2' } } } } },
      { namespace: ns },
    );
    const d = await until(async () => {
      const x = await c.api.get(Deployments, 'pause', { namespace: ns });
      return (x.status?.observedGeneration ?? 0) >= (paused.metadata?.generation ?? 0) &&
        x.status?.availableReplicas === 3
        ? x
        : undefined;
    });
    expect(getCondition(d.status?.conditions, 'Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentPaused',
    });
    expect(await replicaSetsOf(c, d)).toHaveLength(1);
    const resumed = await c.api.patch(
      Deployments,
      'pause',
      'merge',
      { spec: { paused: false } },
      { namespace: ns },
    );
    const done = await complete(c, 'pause', resumed.metadata?.generation);
    const rss = await replicaSetsOf(c, done);
    expect(rss.find((rs) => rs.spec?.template?.metadata?.labels?.['v'] === '2')?.spec?.replicas).toBe(3);
  });

  it('reports ProgressDeadlineExceeded when pods never become ready', async () => {
    await c.api.create(Deployments, deployment('stuck', 1, { progressDeadlineSeconds: 1 }));
    const d = await until(async () => {
      const x = await c.api.get(Deployments, 'stuck', { namespace: ns });
      const p = getCondition(x.status?.conditions, 'Progressing');
      return p?.status === 'False' ? x : undefined;
    });
    expect(getCondition(d.status?.conditions, 'Progressing')?.reason).toBe('ProgressDeadlineExceeded');
    expect(getCondition(d.status?.conditions, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    expect(d.status?.unavailableReplicas).toBe(1);
  });

  it('keeps only revisionHistoryLimit old ReplicaSets', async () => {
    await c.api.create(Deployments, deployment('history', 1, { revisionHistoryLimit: 1 }));
    for (const tag of ['2', '3', '4']) {
      const d = await c.api.patch(
        Deployments,
        'history',
        'strategic',
        { spec: { template: { spec: { containers: [{ name: 'c', image: `img:${tag}` }] } } } },
        { namespace: ns },
      );
      await complete(c, 'history', d.metadata?.generation);
    }
    const d = await c.api.get(Deployments, 'history', { namespace: ns });
    const rss = await until(async () => {
      const r = await replicaSetsOf(c, d);
      return r.length === 2 ? r : undefined;
    });
    expect(rss.map(image).sort()).toEqual(['img:3', 'img:4']);
  });

  it('rejects a selector that does not match the template and an invalid maxSurge with 422', async () => {
    const bad = deployment('bad', 1);
    bad.spec!.selector = { matchLabels: { app: 'other' } };
    await expect(c.api.create(Deployments, bad)).rejects.toMatchObject({ code: 'Invalid' });
    const surge = deployment('bad', 1, {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'lots' } },
    });
    await expect(c.api.create(Deployments, surge)).rejects.toMatchObject({ code: 'Invalid' });
    const negative = deployment('bad', -1);
    await expect(c.api.create(Deployments, negative)).rejects.toMatchObject({ code: 'Invalid' });
  });
});
