import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, resources, type corev1 } from '@tugboat/core';

import { node, pod, startCluster, until } from './helpers.js';

type Cluster = Awaited<ReturnType<typeof startCluster>>;

function strip(p: corev1.Pod): corev1.Pod {
  const meta = { ...p.metadata };
  delete meta.uid;
  return { ...p, metadata: meta };
}

async function events(c: Cluster, podName: string, reason: string): Promise<corev1.Event[]> {
  const list = await c.api.list(resources.Events, { namespace: 'default' });
  return list.items.filter((e) => e.involvedObject.name === podName && e.reason === reason);
}

describe('Scheduler end to end through the registry', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
    for (let i = 0; i < 5; i++)
      await c.api.create(resources.Nodes, node(`n${i}`, { cpu: '2', labels: { zone: i < 3 ? 'a' : 'b' } }));
  });
  afterAll(async () => {
    await c.stop();
  });

  it('binds a pending pod and records a Scheduled event', async () => {
    await c.api.create(resources.Pods, strip(pod('p1', { cpu: '500m' })));
    const nodeName = await c.nodeOf('p1');
    expect(nodeName).toMatch(/^n\d$/);
    const ev = await until(async () => (await events(c, 'p1', 'Scheduled'))[0]);
    expect(ev.message).toBe(`Successfully assigned default/p1 to ${nodeName}`);
  });

  it('reports an upstream-style FailedScheduling message and PodScheduled=False', async () => {
    await c.api.create(resources.Pods, strip(pod('big', { cpu: '3' })));
    const cond = await until(async () =>
      (await c.api.get(resources.Pods, 'big', { namespace: 'default' })).status?.conditions?.find(
        (x) => x.type === 'PodScheduled',
      ),
    );
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect(cond.message).toBe(
      '0/5 nodes are available: 5 Insufficient cpu. preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.',
    );
    const ev = await until(async () => (await events(c, 'big', 'FailedScheduling'))[0]);
    expect(ev.type).toBe('Warning');
    expect(ev.message).toBe(cond.message);
  });

  it('retries an unschedulable pod when a node that fits it arrives', async () => {
    await c.api.create(resources.Pods, strip(pod('waits', { cpu: '6' })));
    await until(async () => (await events(c, 'waits', 'FailedScheduling'))[0]);
    await c.api.create(resources.Nodes, node('huge', { cpu: '10' }));
    expect(await c.nodeOf('waits')).toBe('huge');
  });

  it('fails an impossible node affinity with a clear event, and keeps scheduling others', async () => {
    await c.api.create(resources.Pods, strip(pod('nowhere', { spec: { nodeSelector: { zone: 'mars' } } })));
    const ev = await until(async () => (await events(c, 'nowhere', 'FailedScheduling'))[0]);
    expect(ev.message).toMatch(
      /^0\/6 nodes are available: 6 node\(s\) didn't match Pod's node affinity\/selector\./,
    );
    await c.api.create(resources.Pods, strip(pod('after', { cpu: '100m' })));
    expect(await c.nodeOf('after')).toBeTruthy();
  });

  it('leaves a pod naming a missing node alone and keeps going', async () => {
    await c.api.create(resources.Pods, strip(pod('ghost', { nodeName: 'no-such-node' })));
    await c.api.create(resources.Pods, strip(pod('next', { cpu: '100m' })));
    expect(await c.nodeOf('next')).toBeTruthy();
    expect((await c.api.get(resources.Pods, 'ghost', { namespace: 'default' })).spec?.nodeName).toBe(
      'no-such-node',
    );
  });

  it('only schedules pods whose schedulerName it serves', async () => {
    await c.api.create(resources.Pods, strip(pod('other', { spec: { schedulerName: 'someone-else' } })));
    await c.api.create(resources.Pods, strip(pod('mine', {})));
    await c.nodeOf('mine');
    expect(
      (await c.api.get(resources.Pods, 'other', { namespace: 'default' })).spec?.nodeName,
    ).toBeUndefined();
  });

  it('rejects a pod naming a nonexistent PriorityClass at admission, storing nothing', async () => {
    const err = await c.api
      .create(resources.Pods, strip(pod('noclass', { spec: { priorityClassName: 'gold' } })))
      .catch((e: unknown) => e);
    expect(ApiError.is(err, 'Forbidden')).toBe(true);
    expect((err as Error).message).toContain('no PriorityClass with name gold was found');
    await expect(c.api.get(resources.Pods, 'noclass', { namespace: 'default' })).rejects.toMatchObject({
      code: 'NotFound',
    });
  });

  it('resolves a PriorityClass to spec.priority', async () => {
    await c.api.create(resources.PriorityClasses, {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'silver' },
      value: 1000,
    });
    const created = await c.api.create(
      resources.Pods,
      strip(pod('classy', { spec: { priorityClassName: 'silver' } })),
    );
    expect(created.spec?.priority).toBe(1000);
    expect(created.spec?.preemptionPolicy).toBe('PreemptLowerPriority');
  });

  it('rejects a malformed toleration at admission', async () => {
    const err = await c.api
      .create(
        resources.Pods,
        strip(pod('badtol', { spec: { tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] } })),
      )
      .catch((e: unknown) => e);
    expect(ApiError.is(err, 'Invalid')).toBe(true);
  });
});
