import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resources, type corev1, type FilterPlugin, type ReservePlugin } from '@tugboat/core';

import { success } from '../src/index.js';
import { node, pod, startCluster, until } from './helpers.js';

type Cluster = Awaited<ReturnType<typeof startCluster>>;

const create = (c: Cluster, p: corev1.Pod) => {
  const meta = { ...p.metadata };
  delete meta.uid;
  return c.api.create(resources.Pods, { ...p, metadata: meta });
};

/** A plugin that throws in Filter for pods labelled `explode`, in Reserve for `explode-reserve`. */
class Exploding implements FilterPlugin, ReservePlugin {
  readonly name = 'Exploding';
  filter(_s: unknown, p: corev1.Pod) {
    if (p.metadata?.labels?.['explode']) throw new Error('boom');
    return success;
  }
  reserve(_s: unknown, p: corev1.Pod) {
    if (p.metadata?.labels?.['explode-reserve']) throw new Error('bang');
    return success;
  }
  unreserve(): void {
    // nothing reserved
  }
}

describe('preemption and failing plugins, end to end', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({
      outOfTreeRegistry: { Exploding: () => new Exploding() },
      profiles: [{ schedulerName: 'default-scheduler', plugins: { enabled: [{ name: 'Exploding' }] } }],
    });
    await c.api.create(resources.PriorityClasses, {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'high' },
      value: 1000,
    });
    await c.api.create(resources.Nodes, node('only', { cpu: '2' }));
  });
  afterAll(async () => {
    await c.stop();
  });

  it('evicts lower-priority pods, nominates the node, then binds the preemptor', async () => {
    for (const name of ['low1', 'low2']) {
      await create(c, pod(name, { cpu: '1', spec: { terminationGracePeriodSeconds: 0 } }));
      await c.nodeOf(name);
    }
    await create(c, pod('vip', { cpu: '1', spec: { priorityClassName: 'high' } }));
    expect(await c.nodeOf('vip')).toBe('only');
    const left = (await c.api.list(resources.Pods, { namespace: 'default' })).items.map(
      (p) => p.metadata?.name,
    );
    expect(left.filter((n) => n?.startsWith('low'))).toHaveLength(1);
    const vip = await c.api.get(resources.Pods, 'vip', { namespace: 'default' });
    expect(vip.status?.nominatedNodeName).toBe('only');
  });

  it('does not preempt pods of equal priority', async () => {
    await create(c, pod('peer', { cpu: '2' }));
    const cond = await until(async () =>
      (await c.api.get(resources.Pods, 'peer', { namespace: 'default' })).status?.conditions?.find(
        (x) => x.type === 'PodScheduled',
      ),
    );
    expect(cond.message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  });

  it('a plugin that throws fails only that pod', async () => {
    await create(c, pod('bomb', { labels: { explode: 'yes' } }));
    await create(c, pod('calm', {}));
    expect(await c.nodeOf('calm')).toBe('only');
    const cond = await until(async () =>
      (await c.api.get(resources.Pods, 'bomb', { namespace: 'default' })).status?.conditions?.find(
        (x) => x.type === 'PodScheduled',
      ),
    );
    expect(cond).toMatchObject({ status: 'False', reason: 'SchedulerError' });
    expect(cond.message).toContain('boom');
  });

  it('a Reserve plugin that throws fails that pod and releases what it assumed', async () => {
    const bang = await create(c, pod('bang', { labels: { 'explode-reserve': 'yes' } }));
    const cond = await until(async () =>
      (await c.api.get(resources.Pods, 'bang', { namespace: 'default' })).status?.conditions?.find(
        (x) => x.type === 'PodScheduled',
      ),
    );
    expect(cond).toMatchObject({ status: 'False', reason: 'SchedulerError' });
    expect(cond.message).toContain('bang');
    expect(c.scheduler.cache.hasPod(bang.metadata?.uid ?? '')).toBe(false);
    await create(c, pod('steady', {}));
    expect(await c.nodeOf('steady')).toBe('only');
  });
});
