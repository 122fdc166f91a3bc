import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { resources, type corev1 } from '@tugboat/core';
import { until } from '@tugboat/testing';

import { startKubectlCluster, type KubectlCluster } from './kubectlCluster.js';

const { Pods, Nodes, PodDisruptionBudgets } = resources;
const ns = 'drain-e2e';

jest.setTimeout(120_000);

/**
 * `kubectl drain` against a single simulated node: it cordons the node and evicts pods through the
 * `pods/eviction` subresource, which a PodDisruptionBudget (kept by the disruption controller) can
 * refuse until the budget allows it.
 */
describe('kubectl drain through the eviction subresource', () => {
  let k: KubectlCluster;
  let node: string;

  const pods = async (app: string): Promise<corev1.Pod[]> =>
    (await k.api.list(Pods, { namespace: ns, labelSelector: `app=${app}` })).items;

  beforeAll(async () => {
    k = await startKubectlCluster();
    node = k.cluster.kubelet.options.nodeName;
    await k.ok('create', 'namespace', ns);
    for (const [app, replicas] of [
      ['guarded', 2],
      ['free', 1],
    ] as const) {
      await k.ok(
        '-n',
        ns,
        'create',
        'deployment',
        app,
        '--image=busybox:1.36',
        `--replicas=${replicas}`,
        '--',
        'sleep',
        '3600',
      );
      await k.ok('-n', ns, 'rollout', 'status', `deployment/${app}`, '--timeout=60s');
    }
    await k.ok(
      '-n',
      ns,
      'create',
      'poddisruptionbudget',
      'guarded',
      '--selector=app=guarded',
      '--min-available=2',
    );
    await until(
      async () => {
        const pdb = await k.api.get(PodDisruptionBudgets, 'guarded', { namespace: ns });
        return pdb.status?.currentHealthy === 2 ? pdb : undefined;
      },
      'the disruption controller to count the guarded pods',
      30_000,
    );
  }, 120_000);
  afterAll(async () => {
    await k.stop();
  }, 60_000);

  it('`get pdb` shows the budget the disruption controller keeps', async () => {
    const out = await k.ok('-n', ns, 'get', 'pdb', 'guarded');
    expect(out).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE/);
    expect(out).toMatch(/guarded\s+2\s+N\/A\s+0\s+/);
  });

  it('cordons the node, evicts what no budget protects, and stops at the budget', async () => {
    const before = await pods('free');
    const r = await k.kubectl(
      'drain',
      node,
      '--ignore-daemonsets',
      '--timeout=4s',
      '--pod-selector=app in (guarded,free)',
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget");
    expect((await k.api.get(Nodes, node)).spec?.unschedulable).toBe(true);

    // The unprotected pod was evicted; its replacement cannot be placed on the cordoned node.
    const after = await until(async () => {
      const now = await pods('free');
      return now.some((p) => p.metadata?.uid === before[0]?.metadata?.uid) ? undefined : now;
    }, 'the free pod evicted');
    expect(after.every((p) => !p.spec?.nodeName)).toBe(true);
    // The protected ones are untouched.
    const guarded = await pods('guarded');
    expect(guarded.filter((p) => !p.metadata?.deletionTimestamp)).toHaveLength(2);
  });

  it('finishes once the budget allows it, and `uncordon` brings the pods back', async () => {
    await k.ok('-n', ns, 'patch', 'pdb', 'guarded', '--type=merge', '-p', '{"spec":{"minAvailable":0}}');
    const out = await k.ok(
      'drain',
      node,
      '--ignore-daemonsets',
      '--timeout=60s',
      '--pod-selector=app in (guarded,free)',
    );
    expect(out).toContain(`node/${node} drained`);
    await k.ok('uncordon', node);
    await until(
      async () => {
        const all = [...(await pods('guarded')), ...(await pods('free'))];
        return all.length === 3 && all.every((p) => p.status?.phase === 'Running') ? all : undefined;
      },
      'every pod running again',
      60_000,
    );
  });
});
