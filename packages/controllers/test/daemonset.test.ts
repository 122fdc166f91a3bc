import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { controllerOf, getCondition, resources, type appsv1, type corev1 } from '@tugboat/core';

import { podTemplate, startCluster, until, type TestCluster } from './harness.js';

const { Nodes, Pods, DaemonSets } = resources;
const ns = 'kube-system';

async function daemonPods(c: TestCluster, ds: appsv1.DaemonSet): Promise<corev1.Pod[]> {
  const list = await c.api.list(Pods, { namespace: ns });
  return list.items.filter(
    (p) => controllerOf(p)?.uid === ds.metadata?.uid && !p.metadata?.deletionTimestamp,
  );
}

const nodesOf = (pods: readonly corev1.Pod[]): string[] => pods.map((p) => p.spec?.nodeName ?? '').sort();

describe('DaemonSet controller', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster(['daemonset']);
    c.startFakeKubelet();
    await c.api.create(Nodes, { metadata: { name: 'n1', labels: { disk: 'ssd' } } });
    await c.api.create(Nodes, { metadata: { name: 'n2', labels: { disk: 'ssd' } } });
    await c.api.create(Nodes, { metadata: { name: 'n3' } });
    await c.api.create(Nodes, {
      metadata: { name: 'n4', labels: { disk: 'ssd' } },
      spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('runs one pod on every eligible node and follows node changes', async () => {
    const template = podTemplate({ app: 'proxy' }, 'proxy:1');
    template.spec = { containers: template.spec?.containers ?? [], nodeSelector: { disk: 'ssd' } };
    const ds = await c.api.create(DaemonSets, {
      metadata: { name: 'proxy', namespace: ns },
      spec: { selector: { matchLabels: { app: 'proxy' } }, template },
    });
    const pods = await until(
      async () => {
        const p = await daemonPods(c, ds);
        return nodesOf(p).join() === 'n1,n2' ? p : undefined;
      },
      15_000,
      'pods on n1 and n2',
    );
    for (const p of pods) {
      expect(p.metadata?.labels?.['controller-revision-hash']).toBeTruthy();
      expect(p.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/unreachable')).toBe(true);
      expect(
        p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]
          ?.matchFields?.[0]?.values,
      ).toEqual([p.spec?.nodeName]);
    }
    const status = await until(
      async () => {
        const s = (await c.api.get(DaemonSets, 'proxy', { namespace: ns })).status;
        return s?.numberReady === 2 ? s : undefined;
      },
      15_000,
      'status',
    );
    expect(status).toMatchObject({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberAvailable: 2,
      updatedNumberScheduled: 2,
      numberMisscheduled: 0,
    });

    await c.api.patch(Nodes, 'n3', 'merge', { metadata: { labels: { disk: 'ssd' } } });
    await c.api.patch(Nodes, 'n1', 'merge', { metadata: { labels: { disk: null } } });
    await until(
      async () => (nodesOf(await daemonPods(c, ds)).join() === 'n2,n3' ? true : undefined),
      15_000,
      'pods on n2 and n3',
    );
    // A tolerated taint makes the tainted node eligible.
    await c.api.patch(
      DaemonSets,
      'proxy',
      'merge',
      {
        spec: {
          updateStrategy: { type: 'OnDelete' },
          template: { spec: { tolerations: [{ key: 'dedicated', operator: 'Exists' }] } },
        },
      },
      { namespace: ns },
    );
    await until(
      async () => (nodesOf(await daemonPods(c, ds)).join() === 'n2,n3,n4' ? true : undefined),
      15_000,
      'pod on n4',
    );
  });

  it('rolls a new template out at most maxUnavailable nodes at a time', async () => {
    const ds = await c.api.create(DaemonSets, {
      metadata: { name: 'agent', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: podTemplate({ app: 'agent' }, 'agent:1'),
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      },
    });
    // n4 is tainted: three nodes are eligible.
    await until(
      async () => {
        const p = await daemonPods(c, ds);
        return p.length === 3 &&
          p.every((x) => getCondition(x.status?.conditions, 'Ready')?.status === 'True')
          ? true
          : undefined;
      },
      15_000,
      'three ready pods',
    );
    const pods = new Map<string, corev1.Pod>();
    let worst = 3;
    let checking = false;
    const sub = c.api.watch(Pods, { namespace: ns, labelSelector: 'app=agent' }).subscribe((e) => {
      const uid = e.object.metadata?.uid ?? '';
      if (e.type === 'DELETED' || e.object.metadata?.deletionTimestamp) pods.delete(uid);
      else if (e.type === 'ADDED' || e.type === 'MODIFIED') pods.set(uid, e.object);
      if (!checking) return;
      const readyNodes = new Set(
        [...pods.values()]
          .filter((p) => getCondition(p.status?.conditions, 'Ready')?.status === 'True')
          .map((p) => p.spec?.nodeName),
      );
      worst = Math.min(worst, readyNodes.size);
    });
    try {
      await until(() => (pods.size === 3 ? true : undefined), 15_000, 'watch synced');
      checking = true;
      await c.api.patch(
        DaemonSets,
        'agent',
        'strategic',
        { spec: { template: { spec: { containers: [{ name: 'c', image: 'agent:2' }] } } } },
        { namespace: ns },
      );
      await until(
        async () => {
          const p = await daemonPods(c, ds);
          const s = (await c.api.get(DaemonSets, 'agent', { namespace: ns })).status;
          return p.length === 3 &&
            p.every((x) => x.spec?.containers[0]?.image === 'agent:2') &&
            s?.updatedNumberScheduled === 3 &&
            s.numberReady === 3
            ? true
            : undefined;
        },
        15_000,
        'rolled out',
      );
    } finally {
      sub.unsubscribe();
    }
    expect(worst).toBeGreaterThanOrEqual(2);
  });
});
