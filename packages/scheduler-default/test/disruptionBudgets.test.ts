import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { resources, type metav1, type policyv1 } from '@tugboat/core';

import { disruptionBudgets } from '../src/plugins/defaultPreemption/disruptionBudgets.js';
import { node, nodeInfo, pod, snapshotOf, startCluster, until } from './helpers.js';

type Cluster = Awaited<ReturnType<typeof startCluster>>;

const pdb = (
  name: string,
  spec: policyv1.PodDisruptionBudgetSpec,
  status?: Partial<policyv1.PodDisruptionBudgetStatus>,
): policyv1.PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name, namespace: 'default' },
  spec,
  ...(status ? { status: status as policyv1.PodDisruptionBudgetStatus } : {}),
});

describe('disruption budgets as preemption reads them', () => {
  const db = (name: string, extra: Partial<metav1.ObjectMeta> = {}) => {
    const p = pod(name, { labels: { app: 'db' } });
    return { ...p, metadata: { ...p.metadata, ...extra } };
  };
  const snap = snapshotOf([
    nodeInfo(node('n1'), [db('a'), db('b'), db('c', { deletionTimestamp: '2026-11-27T00:00:00Z' }), db('d')]),
  ]);
  const selector = { matchLabels: { app: 'db' } };
  const allowed = (p: policyv1.PodDisruptionBudget) => disruptionBudgets([p], snap)[0]?.allowed;

  it('takes status.disruptionsAllowed when the controller wrote it', () => {
    expect(allowed(pdb('x', { selector, minAvailable: 4 }, { disruptionsAllowed: 2 }))).toBe(2);
  });

  it('otherwise computes it from minAvailable or maxUnavailable over healthy matching pods', () => {
    expect(allowed(pdb('x', { selector, minAvailable: 2 }))).toBe(1);
    expect(allowed(pdb('x', { selector, minAvailable: '50%' }))).toBe(1);
    expect(allowed(pdb('x', { selector, maxUnavailable: '50%' }))).toBe(1);
    expect(allowed(pdb('x', { selector, maxUnavailable: 1 }))).toBe(0);
  });

  it('leaves out a budget whose selector is malformed', () => {
    const bad = pdb('x', {
      selector: { matchExpressions: [{ key: 'app', operator: 'Bogus' }] },
      minAvailable: 1,
    });
    expect(disruptionBudgets([bad], snap)).toEqual([]);
  });
});

describe('DefaultPreemption with PodDisruptionBudgets, end to end', () => {
  let c: Cluster;
  beforeEach(async () => {
    c = await startCluster();
    await c.api.create(resources.PriorityClasses, {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'high' },
      value: 1000,
    });
  });
  afterEach(async () => {
    await c.stop();
  });

  const create = async (
    name: string,
    cpu: string,
    opts: { labels?: Record<string, string>; high?: boolean } = {},
  ) => {
    const p = pod(name, {
      cpu,
      ...(opts.labels ? { labels: opts.labels } : {}),
      spec: { terminationGracePeriodSeconds: 0, ...(opts.high ? { priorityClassName: 'high' } : {}) },
    });
    const meta = { ...p.metadata };
    delete meta.uid;
    await c.api.create(resources.Pods, { ...p, metadata: meta });
  };
  const names = async () =>
    (await c.api.list(resources.Pods, { namespace: 'default' })).items.map((p) => p.metadata?.name).sort();

  it('the registry serves policy/v1 PodDisruptionBudgets', async () => {
    await c.api.create(
      resources.PodDisruptionBudgets,
      pdb('guard', { selector: { matchLabels: { app: 'db' } }, minAvailable: 1 }),
    );
    const got = await c.api.get(resources.PodDisruptionBudgets, 'guard', { namespace: 'default' });
    expect(got).toMatchObject({
      kind: 'PodDisruptionBudget',
      apiVersion: 'policy/v1',
      spec: { minAvailable: 1 },
    });
  });

  it('the registry refuses a budget with both minAvailable and maxUnavailable, or a bad percentage', async () => {
    const selector = { matchLabels: { app: 'db' } };
    await expect(
      c.api.create(
        resources.PodDisruptionBudgets,
        pdb('both', { selector, minAvailable: 1, maxUnavailable: 1 }),
      ),
    ).rejects.toMatchObject({ code: 'Invalid', message: expect.stringContaining('cannot be both set') });
    await expect(
      c.api.create(resources.PodDisruptionBudgets, pdb('pct', { selector, minAvailable: '150%' })),
    ).rejects.toMatchObject({ code: 'Invalid', message: expect.stringContaining('spec.minAvailable') });
  });

  it('on one node, evicts the pod whose eviction keeps the budget', async () => {
    await c.api.create(resources.Nodes, node('only', { cpu: '2' }));
    await create('free', '1');
    await c.nodeOf('free');
    await create('guarded', '1', { labels: { app: 'db' } });
    await c.nodeOf('guarded');
    await c.api.create(
      resources.PodDisruptionBudgets,
      pdb('guard', { selector: { matchLabels: { app: 'db' } }, minAvailable: 1 }),
    );
    await create('vip', '1', { high: true });
    expect(await c.nodeOf('vip')).toBe('only');
    expect(await until(async () => ((await names()).includes('free') ? undefined : await names()))).toEqual([
      'guarded',
      'vip',
    ]);
  });

  it('prefers a node where no budget is broken', async () => {
    await c.api.create(resources.Nodes, node('a', { cpu: '1', labels: { slot: 'a' } }));
    await create('guarded', '1', { labels: { app: 'db' } });
    expect(await c.nodeOf('guarded')).toBe('a');
    await c.api.create(resources.Nodes, node('b', { cpu: '1' }));
    await create('free', '1');
    expect(await c.nodeOf('free')).toBe('b');
    await c.api.create(
      resources.PodDisruptionBudgets,
      pdb('guard', { selector: { matchLabels: { app: 'db' } }, maxUnavailable: 0 }),
    );
    await create('vip', '1', { high: true });
    expect(await c.nodeOf('vip')).toBe('b');
    expect(await names()).toContain('guarded');
  });
});
