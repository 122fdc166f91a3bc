import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { controllerOf, resources, type appsv1 } from '@tugboat/core';

import { podTemplate, startCluster, until, type TestCluster } from './harness.js';

const { Deployments, ReplicaSets, Pods } = resources;
const ns = 'default';
const desiredAnn = 'deployment.kubernetes.io/desired-replicas';
const maxAnn = 'deployment.kubernetes.io/max-replicas';

/** A RollingUpdate Deployment with absolute maxSurge 3 and maxUnavailable 2, as upstream's e2e test. */
function deployment(name: string, replicas: number): appsv1.Deployment {
  return {
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
      template: podTemplate({ app: name }, 'good:1'),
    },
  };
}

const image = (rs: appsv1.ReplicaSet): string | undefined => rs.spec?.template?.spec?.containers[0]?.image;

describe('Deployment proportional scaling', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster(['replicaset', 'deployment']);
    // Pods of the `bad` image never become ready, so a rollout to it stays in the middle.
    c.startFakeKubelet((pod) => pod.spec?.containers[0]?.image !== 'bad:1');
  });
  afterAll(async () => {
    await c.stop();
  });

  /** Waits until the Deployment's ReplicaSets have these sizes by image, and their pods exist. */
  async function sizes(name: string, want: Record<string, number>): Promise<appsv1.ReplicaSet[]> {
    return until(
      async () => {
        const d = await c.api.get(Deployments, name, { namespace: ns });
        const rss = (await c.api.list(ReplicaSets, { namespace: ns })).items.filter(
          (rs) => controllerOf(rs)?.uid === d.metadata?.uid,
        );
        const got: Record<string, number> = {};
        for (const rs of rss) if ((rs.spec?.replicas ?? 0) > 0) got[image(rs) ?? ''] = rs.spec?.replicas ?? 0;
        const settled = rss.every((rs) => rs.status?.replicas === rs.spec?.replicas);
        return settled && JSON.stringify(got) === JSON.stringify(want) ? rss : undefined;
      },
      20_000,
      `${name} ReplicaSets sized ${JSON.stringify(want)}`,
    );
  }

  async function rollToBad(name: string, replicas: number): Promise<void> {
    await c.api.create(Deployments, deployment(name, replicas));
    await sizes(name, { 'good:1': replicas });
    await until(async () => {
      const d = await c.api.get(Deployments, name, { namespace: ns });
      return d.status?.availableReplicas === replicas ? d : undefined;
    });
    await c.api.patch(
      Deployments,
      name,
      'strategic',
      { spec: { template: { spec: { containers: [{ name: 'c', image: 'bad:1' }] } } } },
      { namespace: ns },
    );
  }

  it('spreads a scale-up and a scale-down over old and new ReplicaSets in proportion', async () => {
    // 10 replicas, surge 3, unavailable 2: the stuck rollout holds 8 old and 5 new.
    await rollToBad('prop', 10);
    await sizes('prop', { 'good:1': 8, 'bad:1': 5 });

    // To 30 (max 33): old 8·33/13 ≈ 20, new 5·33/13 ≈ 13, as upstream's e2e test expects.
    await c.api.patch(Deployments, 'prop', 'merge', { spec: { replicas: 30 } }, { namespace: ns });
    const up = await sizes('prop', { 'good:1': 20, 'bad:1': 13 });
    for (const rs of up.filter((x) => (x.spec?.replicas ?? 0) > 0)) {
      expect(rs.metadata?.annotations?.[desiredAnn]).toBe('30');
      expect(rs.metadata?.annotations?.[maxAnn]).toBe('33');
    }
    const pods = await c.api.list(Pods, { namespace: ns, labelSelector: 'app=prop' });
    expect(pods.items.filter((p) => !p.metadata?.deletionTimestamp)).toHaveLength(33);

    // To 5 (max 8): old 20·8/33 ≈ 5, new 13·8/33 ≈ 3, each in the write that stamps desired=5.
    const firstSized = new Map<string, number>();
    const sub = c.api.watch(ReplicaSets, { namespace: ns, labelSelector: 'app=prop' }).subscribe((e) => {
      const rs = e.object;
      const img = image(rs);
      if (img && rs.metadata?.annotations?.[desiredAnn] === '5' && !firstSized.has(img))
        firstSized.set(img, rs.spec?.replicas ?? 0);
    });
    try {
      await c.api.patch(Deployments, 'prop', 'merge', { spec: { replicas: 5 } }, { namespace: ns });
      // The rollout then goes on within the new bounds: 3 available old ones, 5 new ones.
      const down = await sizes('prop', { 'good:1': 3, 'bad:1': 5 });
      expect(Object.fromEntries(firstSized)).toEqual({ 'good:1': 5, 'bad:1': 3 });
      for (const rs of down.filter((x) => (x.spec?.replicas ?? 0) > 0)) {
        expect(rs.metadata?.annotations?.[desiredAnn]).toBe('5');
        expect(rs.metadata?.annotations?.[maxAnn]).toBe('8');
      }
    } finally {
      sub.unsubscribe();
    }

    // Back to the good template: the old ReplicaSet takes over and the bad one goes to zero.
    await c.api.patch(
      Deployments,
      'prop',
      'strategic',
      { spec: { template: { spec: { containers: [{ name: 'c', image: 'good:1' }] } } } },
      { namespace: ns },
    );
    await sizes('prop', { 'good:1': 5 });
  });

  it('scales proportionally while paused in the middle of a rollout', async () => {
    await rollToBad('paused', 10);
    await sizes('paused', { 'good:1': 8, 'bad:1': 5 });
    await c.api.patch(Deployments, 'paused', 'merge', { spec: { paused: true } }, { namespace: ns });
    await c.api.patch(Deployments, 'paused', 'merge', { spec: { replicas: 20 } }, { namespace: ns });
    // Max 13 → 23: old 8·23/13 ≈ 14, new 5·23/13 ≈ 9.
    await sizes('paused', { 'good:1': 14, 'bad:1': 9 });
  });

  it('gives the whole count to the only active ReplicaSet', async () => {
    await c.api.create(Deployments, deployment('single', 2));
    await sizes('single', { 'good:1': 2 });
    await c.api.patch(Deployments, 'single', 'merge', { spec: { replicas: 7 } }, { namespace: ns });
    const rss = await sizes('single', { 'good:1': 7 });
    expect(rss[0]?.metadata?.annotations?.[desiredAnn]).toBe('7');
    expect(rss[0]?.metadata?.annotations?.[maxAnn]).toBe('10');
  });
});
