import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, getCondition, resources, type appsv1, type corev1, type policyv1 } from '@tugboat/core';

import { pdbStatus } from '../src/index.js';
import { podTemplate, startCluster, until, type TestCluster } from './harness.js';

const { Pods, PodDisruptionBudgets, Deployments } = resources;
const ns = 'default';

const now = Date.parse('2026-11-27T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(name: string, ready: boolean): corev1.Pod {
  return {
    metadata: { name, namespace: ns, labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'i' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

function budget(spec: policyv1.PodDisruptionBudgetSpec, status?: policyv1.PodDisruptionBudgetStatus) {
  return {
    metadata: { name: 'web', namespace: ns, generation: 1 },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
    ...(status ? { status } : {}),
  } satisfies policyv1.PodDisruptionBudget;
}

/** Sends `POST pods/<name>/eviction` as `kubectl drain` does. */
function evict(c: TestCluster, name: string, dryRun = false): Promise<unknown> {
  return c.api.createSubresource(
    Pods,
    name,
    'eviction',
    { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } },
    { namespace: ns, ...(dryRun ? { dryRun: true } : {}) },
  );
}

describe('pdbStatus', () => {
  it('allows as many disruptions as healthy pods exceed minAvailable', () => {
    const pods = [pod('a', true), pod('b', true), pod('c', false)];
    const { status } = pdbStatus(budget({ minAvailable: 1 }), { pods, now });
    expect(status).toMatchObject({
      currentHealthy: 2,
      desiredHealthy: 1,
      disruptionsAllowed: 1,
      expectedPods: 3,
      observedGeneration: 1,
    });
    expect(getCondition(status.conditions, 'DisruptionAllowed')).toMatchObject({
      status: 'True',
      reason: 'SufficientPods',
    });
  });

  it('takes maxUnavailable and percentages against the controllers’ scale, rounding up', () => {
    const pods = [pod('a', true), pod('b', true), pod('c', true)];
    expect(
      pdbStatus(budget({ maxUnavailable: '50%' }), { pods, expectedScale: 4, now }).status,
    ).toMatchObject({
      expectedPods: 4,
      desiredHealthy: 2,
      disruptionsAllowed: 1,
    });
    expect(pdbStatus(budget({ minAvailable: '50%' }), { pods, expectedScale: 3, now }).status).toMatchObject({
      desiredHealthy: 2,
      disruptionsAllowed: 1,
    });
  });

  it('allows nothing when the expected count is unknown, and says why', () => {
    const { status } = pdbStatus(budget({ maxUnavailable: 1 }), {
      pods: [pod('a', true)],
      expectedScale: 'found no controller ref for pod "a"',
      now,
    });
    expect(status.disruptionsAllowed).toBe(0);
    expect(getCondition(status.conditions, 'DisruptionAllowed')).toMatchObject({
      status: 'False',
      reason: 'SyncFailed',
      message: 'found no controller ref for pod "a"',
    });
  });

  it('keeps a granted eviction out of the healthy count until its pod goes or two minutes pass', () => {
    const pods = [pod('a', true), pod('b', true), pod('c', true)];
    const recent = budget(
      { minAvailable: 1 },
      {
        currentHealthy: 3,
        desiredHealthy: 1,
        disruptionsAllowed: 1,
        expectedPods: 3,
        disruptedPods: { a: iso(now - 1000), gone: iso(now - 1000), b: iso(now - 3 * 60 * 1000) },
      },
    );
    const result = pdbStatus(recent, { pods, now });
    expect(result.status.disruptedPods).toEqual({ a: iso(now - 1000) });
    expect(result.status.currentHealthy).toBe(2);
    expect(result.requeueAfter).toBeGreaterThan(118_000);
  });
});

describe('disruption controller and the eviction subresource', () => {
  let c: TestCluster;
  /** Whether the kubelet stand-in makes new pods Running and Ready. */
  let startPods = true;
  beforeAll(async () => {
    c = await startCluster(['disruption', 'deployment', 'replicaset']);
    c.startFakeKubelet(() => startPods);
  });
  afterAll(async () => {
    await c.stop();
  });

  async function pdbWhere(check: (s: policyv1.PodDisruptionBudgetStatus) => boolean, name = 'web') {
    return until(
      async () => {
        const pdb = await c.api.get(PodDisruptionBudgets, name, { namespace: ns });
        return pdb.status !== undefined && check(pdb.status) ? pdb : undefined;
      },
      15_000,
      `budget ${name}`,
    );
  }

  const livePods = async (): Promise<corev1.Pod[]> =>
    (await c.api.list(Pods, { namespace: ns, labelSelector: 'app=web' })).items.filter(
      (p) => !p.metadata?.deletionTimestamp,
    );

  it('follows a Deployment’s pods and spends the budget one eviction at a time', async () => {
    const d: appsv1.Deployment = {
      metadata: { name: 'web', namespace: ns },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: podTemplate({ app: 'web' }) },
    };
    await c.api.create(Deployments, d);
    await c.api.create(PodDisruptionBudgets, budget({ maxUnavailable: 1 }));
    await pdbWhere((s) => s.currentHealthy === 3 && s.disruptionsAllowed === 1 && s.expectedPods === 3);

    // Replacements stay unready from here on, so the first eviction spends the whole budget.
    startPods = false;
    const [first, second] = await livePods();
    await expect(evict(c, first?.metadata?.name ?? '', true)).resolves.toMatchObject({ status: 'Success' });
    expect((await livePods()).map((p) => p.metadata?.name)).toContain(first?.metadata?.name);

    await expect(evict(c, first?.metadata?.name ?? '')).resolves.toMatchObject({ status: 'Success' });
    expect((await livePods()).map((p) => p.metadata?.name)).not.toContain(first?.metadata?.name);

    const refused = await evict(c, second?.metadata?.name ?? '').catch((e: unknown) => e);
    expect(ApiError.is(refused, 'TooManyRequests')).toBe(true);
    expect((refused as ApiError).message).toBe(
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    expect((refused as ApiError).details.causes?.[0]?.reason).toBe('DisruptionBudget');
    expect((await livePods()).map((p) => p.metadata?.name)).toContain(second?.metadata?.name);
    // The controller agrees once it has seen the deletion: two healthy, two needed.
    await pdbWhere((s) => s.currentHealthy === 2 && s.disruptionsAllowed === 0);
    startPods = true;
  });

  it('answers 429 naming the budget while it has no disruptions left, and never deletes the pod', async () => {
    await c.api.create(PodDisruptionBudgets, {
      metadata: { name: 'all', namespace: ns },
      spec: { selector: { matchLabels: { app: 'guarded' } }, minAvailable: 1 },
    });
    await c.api.create(Pods, {
      metadata: { name: 'guarded', namespace: ns, labels: { app: 'guarded' } },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
    });
    await pdbWhere((s) => s.currentHealthy === 1 && s.desiredHealthy === 1, 'all');
    const err = await evict(c, 'guarded').catch((e: unknown) => e);
    expect(ApiError.is(err, 'TooManyRequests')).toBe(true);
    expect((err as ApiError).details.causes?.[0]?.message).toBe(
      'The disruption budget all needs 1 healthy pods and has 1 currently',
    );
    await expect(c.api.get(Pods, 'guarded', { namespace: ns })).resolves.toBeDefined();
  });

  it('deletes pods no budget covers, and refuses a pod covered by two budgets', async () => {
    await c.api.create(Pods, {
      metadata: { name: 'free', namespace: ns, labels: { app: 'free' } },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    });
    await expect(evict(c, 'free')).resolves.toMatchObject({ status: 'Success' });

    for (const name of ['twin-a', 'twin-b'])
      await c.api.create(PodDisruptionBudgets, {
        metadata: { name, namespace: ns },
        spec: { selector: { matchLabels: { app: 'twin' } }, maxUnavailable: 1 },
      });
    await c.api.create(Pods, {
      metadata: { name: 'twin', namespace: ns, labels: { app: 'twin' } },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
    });
    await until(async () => {
      const p = await c.api.get(Pods, 'twin', { namespace: ns });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    const err = await evict(c, 'twin').catch((e: unknown) => e);
    expect(ApiError.is(err, 'Internal')).toBe(true);
    expect((err as ApiError).message).toMatch(/more than one PodDisruptionBudget/);
  });

  it('rejects an Eviction naming another pod', async () => {
    const err = await c.api
      .createSubresource(
        Pods,
        'guarded',
        'eviction',
        { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'other' } },
        { namespace: ns },
      )
      .catch((e: unknown) => e);
    expect(ApiError.is(err, 'BadRequest')).toBe(true);
    await expect(c.api.get(Pods, 'guarded', { namespace: ns })).resolves.toBeDefined();
  });
});
