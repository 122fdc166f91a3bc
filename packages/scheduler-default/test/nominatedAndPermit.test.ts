import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  resources,
  silentLogger,
  type ApiClient,
  type corev1,
  type CycleState,
  type FrameworkHandle,
  type PermitPlugin,
} from '@tugboat/core';

import {
  CycleStateImpl,
  Framework,
  Nominator,
  SchedulerCache,
  inTreeRegistry,
  success,
} from '../src/index.js';
import { node, pod, startCluster, until } from './helpers.js';

const withPriority = (p: corev1.Pod, priority: number): corev1.Pod => ({
  ...p,
  spec: { ...(p.spec as corev1.PodSpec), priority },
});

describe('nominated pods', () => {
  const cache = new SchedulerCache();
  cache.addNode(node('n1', { cpu: '2' }));
  const nominator = new Nominator();
  const fwk = new Framework(
    { schedulerName: 's' },
    inTreeRegistry(),
    {} as ApiClient,
    silentLogger,
    () => cache,
    100,
    nominator,
  );
  const vip = withPriority(pod('vip', { cpu: '2' }), 1000);
  nominator.update(vip, 'n1');

  it('keep the room preemption made from pods of lower or equal priority', () => {
    const low = fwk.schedulePod(new CycleStateImpl(), withPriority(pod('low', { cpu: '1' }), 0));
    expect(low).toMatchObject({ kind: 'unschedulable' });
    if (low.kind === 'unschedulable') expect(low.statuses.get('n1')?.reasons).toEqual(['Insufficient cpu']);
    const peer = fwk.schedulePod(new CycleStateImpl(), withPriority(pod('peer', { cpu: '1' }), 1000));
    expect(peer.kind).toBe('unschedulable');
  });

  it('do not hold back pods of higher priority, nor the nominated pod itself', () => {
    const higher = fwk.schedulePod(new CycleStateImpl(), withPriority(pod('higher', { cpu: '1' }), 2000));
    expect(higher).toMatchObject({ kind: 'scheduled', nodeName: 'n1' });
    expect(fwk.schedulePod(new CycleStateImpl(), vip)).toMatchObject({ kind: 'scheduled', nodeName: 'n1' });
  });

  it('stop holding room once the nominated pod is bound or deleted', () => {
    nominator.update({ ...vip, spec: { ...(vip.spec as corev1.PodSpec), nodeName: 'elsewhere' } });
    expect(nominator.empty).toBe(true);
    const low = fwk.schedulePod(new CycleStateImpl(), withPriority(pod('low2', { cpu: '1' }), 0));
    expect(low).toMatchObject({ kind: 'scheduled', nodeName: 'n1' });
  });
});

/** Holds pods labelled `gate=<timeout ms>` at Permit. */
class Gate implements PermitPlugin {
  readonly name = 'Gate';
  permit(_s: CycleState, p: corev1.Pod) {
    const gate = p.metadata?.labels?.['gate'];
    if (gate === undefined) return { status: success };
    return { status: { code: 'Wait' as const, reasons: [] }, timeoutMs: Number(gate) };
  }
}

describe('Permit returning Wait', () => {
  let c: Awaited<ReturnType<typeof startCluster>>;
  let handle: FrameworkHandle | undefined;
  beforeAll(async () => {
    c = await startCluster({
      outOfTreeRegistry: {
        Gate: (_args, h) => {
          handle = h;
          return new Gate();
        },
      },
      profiles: [{ schedulerName: 'default-scheduler', plugins: { enabled: [{ name: 'Gate' }] } }],
      initialBackoffMs: 60_000,
      maxBackoffMs: 60_000,
    });
    await c.api.create(resources.Nodes, node('n1'));
  });
  afterAll(async () => {
    await c.stop();
  });

  const create = async (name: string, gate: string) => {
    const p = pod(name, { labels: { gate } });
    const meta = { ...p.metadata };
    delete meta.uid;
    return (await c.api.create(resources.Pods, { ...p, metadata: meta })).metadata?.uid ?? '';
  };
  const waiting = (uid: string) => until(() => handle?.getWaitingPod?.(uid));
  const condition = (name: string) =>
    until(async () =>
      (await c.api.get(resources.Pods, name, { namespace: 'default' })).status?.conditions?.find(
        (x) => x.type === 'PodScheduled' && x.status === 'False',
      ),
    );

  it('holds the pod reserved until the plugin allows it, then binds it', async () => {
    const uid = await create('held', '600000');
    const w = await waiting(uid);
    expect(w).toMatchObject({ nodeName: 'n1', pendingPlugins: ['Gate'] });
    expect(c.scheduler.cache.isAssumed(uid)).toBe(true);
    expect(
      (await c.api.get(resources.Pods, 'held', { namespace: 'default' })).spec?.nodeName,
    ).toBeUndefined();
    const seen: string[] = [];
    handle?.iterateOverWaitingPods?.((p) => seen.push(p.pod.metadata?.name ?? ''));
    expect(seen).toEqual(['held']);
    w.allow('Gate');
    expect(await c.nodeOf('held')).toBe('n1');
  });

  it('a rejected pod is unreserved and reported unschedulable with the reason', async () => {
    const uid = await create('refused', '600000');
    (await waiting(uid)).reject('Gate', 'not before the batch is complete');
    expect((await condition('refused')).message).toBe('not before the batch is complete');
    expect(c.scheduler.cache.hasPod(uid)).toBe(false);
  });

  it('a pod nobody allows is rejected when its timeout passes', async () => {
    await create('forgotten', '20');
    expect((await condition('forgotten')).message).toBe(
      'rejected due to timeout after waiting 20ms at plugin Gate',
    );
  });
});
