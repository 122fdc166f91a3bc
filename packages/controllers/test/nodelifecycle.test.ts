import { afterEach, describe, expect, it } from '@jest/globals';
import { getCondition, resources, type appsv1, type coordinationv1, type corev1 } from '@tugboat/core';

import { evictionTime } from '../src/index.js';
import { podTemplate, startCluster, until, type TestCluster } from './harness.js';

const { Nodes, Leases, Pods, ReplicaSets } = resources;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

let cluster: TestCluster | undefined;
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  await cluster?.stop();
  cluster = undefined;
});

async function addNode(api: TestCluster['api'], name: string): Promise<void> {
  const now = iso(Date.now());
  const node = await api.create(Nodes, { metadata: { name } });
  await api.updateStatus(Nodes, {
    ...node,
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
    },
  });
}

/** Renews the node's Lease every 100 ms, as a live kubelet would; returns the way to stop. */
async function heartbeat(api: TestCluster['api'], name: string): Promise<() => void> {
  const lease: coordinationv1.Lease = await api.create(
    Leases,
    {
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString() },
    },
    { namespace: 'kube-node-lease' },
  );
  let current = lease;
  const timer = setInterval(() => {
    void api
      .update(Leases, { ...current, spec: { ...current.spec, renewTime: new Date().toISOString() } })
      .then((l) => (current = l))
      .catch(() => undefined);
  }, 100);
  timers.push(timer);
  return () => {
    clearInterval(timer);
  };
}

const taintKeys = (n: corev1.Node): string[] =>
  (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

describe('node lifecycle', () => {
  it('marks a silent node Unknown, taints it, marks its pods not ready, and untaints it when it returns', async () => {
    cluster = await startCluster(['nodelifecycle'], { nodeLifecycle: { nodeMonitorGracePeriodMs: 600 } });
    const { api } = cluster;
    await addNode(api, 'n1');
    const stop = await heartbeat(api, 'n1');
    const pod = await api.create(
      Pods,
      {
        metadata: { name: 'p', namespace: 'default' },
        spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
      },
      { namespace: 'default' },
    );
    await api.updateStatus(Pods, {
      ...pod,
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });

    // While the Lease is renewed the node keeps Ready=True and no taints.
    const healthy = await api.get(Nodes, 'n1');
    expect(getCondition(healthy.status?.conditions, 'Ready')?.status).toBe('True');

    stop();
    const lost = await until(
      async () => {
        const n = await api.get(Nodes, 'n1');
        return taintKeys(n).length === 2 ? n : undefined;
      },
      10_000,
      'unreachable taints',
    );
    expect(taintKeys(lost)).toEqual([
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/unreachable:NoSchedule',
    ]);
    const ready = getCondition(lost.status?.conditions, 'Ready');
    expect(ready).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    });
    expect(getCondition(lost.status?.conditions, 'MemoryPressure')?.status).toBe('Unknown');
    await until(
      async () => {
        const p = await api.get(Pods, 'p', { namespace: 'default' });
        return getCondition(p.status?.conditions, 'Ready')?.status === 'False' ? p : undefined;
      },
      10_000,
      'pod marked not ready',
    );

    // The kubelet comes back: Lease renewed and Ready=True posted → the taints go.
    await heartbeat(api, 'n1').catch(async () => {
      const l = await api.get(Leases, 'n1', { namespace: 'kube-node-lease' });
      await api.update(Leases, { ...l, spec: { ...l.spec, renewTime: new Date().toISOString() } });
    });
    const back = await api.get(Nodes, 'n1');
    const now = iso(Date.now());
    await api.updateStatus(Nodes, {
      ...back,
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
        ],
      },
    });
    await until(
      async () => (taintKeys(await api.get(Nodes, 'n1')).length === 0 ? true : undefined),
      10_000,
      'taints removed',
    );
  });

  it('evicts pods of a lost node after their tolerationSeconds and their ReplicaSet replaces them', async () => {
    cluster = await startCluster(['nodelifecycle', 'tainteviction', 'replicaset'], {
      nodeLifecycle: { nodeMonitorGracePeriodMs: 400 },
    });
    const { api } = cluster;
    await addNode(api, 'lost');
    const stop = await heartbeat(api, 'lost');
    const template = podTemplate({ app: 'web' });
    const rs: appsv1.ReplicaSet = {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          ...template,
          spec: {
            ...template.spec,
            containers: template.spec?.containers ?? [],
            nodeName: 'lost',
            tolerations: [
              {
                key: 'node.kubernetes.io/unreachable',
                operator: 'Exists',
                effect: 'NoExecute',
                tolerationSeconds: 1,
              },
            ],
          },
        },
      },
    };
    await api.create(ReplicaSets, rs, { namespace: 'default' });
    const first = await until(
      async () => {
        const pods = (await api.list(Pods, { namespace: 'default' })).items;
        return pods.length === 2 ? pods.map((p) => p.metadata?.uid) : undefined;
      },
      10_000,
      'two pods',
    );
    // The default 300 s unreachable toleration is not added where the pod brings its own.
    const one = (await api.list(Pods, { namespace: 'default' })).items[0];
    expect(one?.spec?.tolerations?.filter((t) => t.key === 'node.kubernetes.io/unreachable')).toHaveLength(1);
    expect(
      one?.spec?.tolerations?.some(
        (t) => t.key === 'node.kubernetes.io/not-ready' && t.tolerationSeconds === 300,
      ),
    ).toBe(true);

    // Replacements go to a healthy node (a scheduler's job; the template pins it here).
    await addNode(api, 'healthy');
    await heartbeat(api, 'healthy');
    const live = await api.get(ReplicaSets, 'web', { namespace: 'default' });
    const spec = live.spec?.template?.spec;
    if (live.spec?.template === undefined || spec === undefined) throw new Error('no template');
    await api.update(ReplicaSets, {
      ...live,
      spec: { ...live.spec, template: { ...live.spec.template, spec: { ...spec, nodeName: 'healthy' } } },
    });

    stop();
    const replaced = await until(
      async () => {
        const pods = (await api.list(Pods, { namespace: 'default' })).items;
        const fresh = pods.filter((p) => !first.includes(p.metadata?.uid) && !p.metadata?.deletionTimestamp);
        const evicted = pods
          .filter((p) => first.includes(p.metadata?.uid))
          .every((p) => p.metadata?.deletionTimestamp);
        return fresh.length === 2 && evicted ? pods : undefined;
      },
      15_000,
      'pods evicted and replaced',
    );
    expect(replaced.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.spec?.nodeName)).toEqual([
      'healthy',
      'healthy',
    ]);
  });
});

describe('evictionTime', () => {
  const taint = (timeAdded: number): corev1.Taint => ({
    key: 'node.kubernetes.io/unreachable',
    effect: 'NoExecute',
    timeAdded: new Date(timeAdded).toISOString(),
  });
  const pod = (tolerations: corev1.Toleration[]): corev1.Pod => ({ spec: { containers: [], tolerations } });
  const t0 = Date.parse('2026-01-01T00:00:00Z');

  it('is immediate without a matching toleration, after tolerationSeconds with one, never without a limit', () => {
    expect(evictionTime(pod([]), [taint(t0)], t0 + 5)).toBe(t0 + 5);
    expect(
      evictionTime(
        pod([
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 300,
          },
        ]),
        [taint(t0)],
        t0,
      ),
    ).toBe(t0 + 300_000);
    expect(evictionTime(pod([{ operator: 'Exists' }]), [taint(t0)], t0)).toBe(Infinity);
    expect(evictionTime(pod([]), [{ key: 'x', effect: 'NoSchedule' }], t0)).toBe(Infinity);
  });

  it('takes the shortest of the matching tolerations, and a negative value as zero', () => {
    const tolerations: corev1.Toleration[] = [
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 60 },
      { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
    ];
    expect(evictionTime(pod(tolerations), [taint(t0)], t0)).toBe(t0 + 10_000);
    expect(evictionTime(pod([{ operator: 'Exists', tolerationSeconds: -5 }]), [taint(t0)], t0 + 1)).toBe(t0);
  });
});
