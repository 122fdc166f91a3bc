import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resources, type corev1 } from '@tugboat/core';

import { podInfoOf } from '../src/internal/podInfo.js';
import { portConflicts } from '../src/internal/podInfo.js';
import { node, startCluster, until } from './helpers.js';

/** A small seeded PRNG (mulberry32), so a failure can be replayed with SEED=…. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = Number(process.env['SEED'] ?? Date.now() % 1_000_000);
const random = rng(seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
const NODES = 120;
const PODS = Number(process.env['PODS'] ?? 2500);
const zones = ['a', 'b', 'c'];

function randomNode(i: number): corev1.Node {
  return node(`n${i}`, {
    cpu: pick(['4', '8', '32']),
    memory: pick(['8Gi', '16Gi', '64Gi']),
    pods: pick([20, 40, 110]),
    labels: { 'topology.kubernetes.io/zone': pick(zones), ...(random() < 0.5 ? { disk: 'ssd' } : {}) },
    ...(random() < 0.15
      ? { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const }] }
      : {}),
  });
}

function randomPod(i: number): corev1.Pod {
  const labels: Record<string, string> = {};
  const spec: Partial<corev1.PodSpec> = {};
  const kind = random();
  if (kind < 0.15) {
    const g = `anti-${Math.floor(random() * 8)}`;
    labels['app'] = g;
    spec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: g } } },
        ],
      },
    };
  } else if (kind < 0.25) {
    const g = `aff-${Math.floor(random() * 4)}`;
    labels['app'] = g;
    spec.affinity = {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { app: g } } },
        ],
      },
    };
  } else if (kind < 0.4) {
    const g = `spread-${Math.floor(random() * 3)}`;
    labels['app'] = g;
    spec.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { app: g } },
      },
    ];
  }
  // Spread groups share one set of eligible domains only if none of their pods narrows it.
  if (random() < 0.2 && !labels['app']?.startsWith('spread-')) spec.nodeSelector = { disk: 'ssd' };
  if (random() < 0.1)
    spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }];
  const requests: Record<string, string> = {};
  if (random() < 0.9) requests['cpu'] = `${pick([50, 100, 250, 500, 1000])}m`;
  if (random() < 0.9) requests['memory'] = `${pick([64, 128, 512, 1024])}Mi`;
  const ports: corev1.ContainerPort[] =
    random() < 0.1
      ? [{ containerPort: 80, hostPort: pick([8080, 9090]), protocol: pick(['TCP', 'UDP'] as const) }]
      : [];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, namespace: 'default', labels },
    spec: {
      containers: [
        { name: 'c', image: 'busybox', resources: { requests }, ...(ports.length ? { ports } : {}) },
      ],
      ...(random() < 0.1
        ? { initContainers: [{ name: 'init', image: 'busybox', resources: { requests: { cpu: '1500m' } } }] }
        : {}),
      ...spec,
    },
  };
}

describe(`randomized scheduling (SEED=${seed})`, () => {
  let c: Awaited<ReturnType<typeof startCluster>>;
  let pods: corev1.Pod[] = [];
  let nodes: corev1.Node[] = [];

  beforeAll(async () => {
    c = await startCluster();
    for (let i = 0; i < NODES; i++) await c.api.create(resources.Nodes, randomNode(i));
    for (let i = 0; i < PODS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, PODS - i) }, (_, j) =>
          c.api.create(resources.Pods, randomPod(i + j)),
        ),
      );
    }
    // Settled: every pod is bound or has been found unschedulable, and nothing is left to retry.
    await until(
      async () => {
        const list = c.pods();
        const settled = list.every(
          (p) =>
            p.spec?.nodeName ||
            p.status?.conditions?.some((x) => x.type === 'PodScheduled' && x.status === 'False'),
        );
        const q = c.scheduler.queue.stats();
        return settled && q.active === 0 && q.backoff === 0 ? list : undefined;
      },
      150_000,
      100,
    );
    pods = (await c.api.list(resources.Pods, { namespace: 'default' })).items;
    nodes = (await c.api.list(resources.Nodes)).items;
  }, 180_000);
  afterAll(async () => {
    await c.stop();
  });

  const bound = (): corev1.Pod[] => pods.filter((p) => p.spec?.nodeName);
  const byNode = (): Map<string, corev1.Pod[]> => {
    const m = new Map<string, corev1.Pod[]>();
    for (const p of bound()) m.set(p.spec?.nodeName ?? '', [...(m.get(p.spec?.nodeName ?? '') ?? []), p]);
    return m;
  };
  const nodeByName = (name: string): corev1.Node =>
    nodes.find((n) => n.metadata?.name === name) as corev1.Node;

  it('places most pods', () => {
    expect(bound().length).toBeGreaterThan(PODS / 2);
  });

  it('over-commits no node on any resource or pod count', () => {
    for (const [name, ps] of byNode()) {
      const n = nodeByName(name);
      const info = { cpu: 0, memory: 0, pods: ps.length };
      for (const p of ps) {
        const r = podInfoOf(p).requests;
        info.cpu += r['cpu'] ?? 0;
        info.memory += r['memory'] ?? 0;
      }
      const alloc = podInfoOf({
        spec: { containers: [{ name: 'x', resources: { requests: n.status?.allocatable ?? {} } }] },
      }).requests;
      expect(info.cpu).toBeLessThanOrEqual(alloc['cpu'] ?? 0);
      expect(info.memory).toBeLessThanOrEqual(alloc['memory'] ?? 0);
      expect(info.pods).toBeLessThanOrEqual(Number(n.status?.allocatable?.['pods']));
    }
  });

  it('binds no host port twice on a node', () => {
    for (const ps of byNode().values()) {
      const used = new Set<string>();
      for (const p of ps) {
        for (const port of podInfoOf(p).hostPorts) {
          expect(portConflicts(port, used)).toBe(false);
          used.add(port);
        }
      }
    }
  });

  it('respects taints and node selectors', () => {
    for (const p of bound()) {
      const n = nodeByName(p.spec?.nodeName ?? '');
      if (p.spec?.nodeSelector?.['disk']) expect(n.metadata?.labels?.['disk']).toBe('ssd');
      if (n.spec?.taints?.length) expect(p.spec?.tolerations?.some((t) => t.key === 'dedicated')).toBe(true);
    }
  });

  it('keeps every required anti-affinity', () => {
    for (const ps of byNode().values()) {
      const groups = ps.map((p) => p.metadata?.labels?.['app']).filter((g) => g?.startsWith('anti-'));
      expect(new Set(groups).size).toBe(groups.length);
    }
  });

  it('keeps every required affinity (each group in one zone)', () => {
    const zonesOf = new Map<string, Set<string>>();
    for (const p of bound()) {
      const g = p.metadata?.labels?.['app'];
      if (!g?.startsWith('aff-')) continue;
      const z = nodeByName(p.spec?.nodeName ?? '').metadata?.labels?.['topology.kubernetes.io/zone'] ?? '';
      zonesOf.set(g, new Set([...(zonesOf.get(g) ?? []), z]));
    }
    for (const zs of zonesOf.values()) expect(zs.size).toBe(1);
  });

  it('keeps every spread constraint within maxSkew across zones', () => {
    const present = new Set(nodes.map((n) => n.metadata?.labels?.['topology.kubernetes.io/zone'] ?? ''));
    for (let g = 0; g < 3; g++) {
      const counts = new Map([...present].map((z) => [z, 0]));
      for (const p of bound()) {
        if (p.metadata?.labels?.['app'] !== `spread-${g}`) continue;
        const z = nodeByName(p.spec?.nodeName ?? '').metadata?.labels?.['topology.kubernetes.io/zone'] ?? '';
        counts.set(z, (counts.get(z) ?? 0) + 1);
      }
      const values = [...counts.values()];
      expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
    }
  });
});
