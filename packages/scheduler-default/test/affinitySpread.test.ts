import { describe, expect, it } from '@jest/globals';
import type { corev1, NodeInfo } from '@tugboat/core';

import { InterPodAffinity, PodTopologySpread } from '../src/index.js';
import { node, nodeInfo, pod, snapshotOf, state } from './helpers.js';

const zoneNode = (name: string, zone: string, pods: corev1.Pod[] = []): NodeInfo =>
  nodeInfo(node(name, { labels: { zone } }), pods);

function filterAll(
  plugin: InterPodAffinity | PodTopologySpread,
  p: corev1.Pod,
  nodes: NodeInfo[],
): Record<string, string> {
  const snap = snapshotOf(nodes);
  const s = state();
  const pre = plugin.preFilter(s, p, snap);
  const out: Record<string, string> = {};
  for (const n of nodes)
    out[n.node.metadata?.name ?? ''] = pre.code === 'Skip' ? 'Skip' : plugin.filter(s, p, n).code;
  return out;
}

const web = (name: string): corev1.Pod => pod(name, { labels: { app: 'web' } });

describe('PodTopologySpread filter', () => {
  const spread = (maxSkew: number, extra: Partial<corev1.TopologySpreadConstraint> = {}): corev1.Pod =>
    pod('new', {
      labels: { app: 'web' },
      spec: {
        topologySpreadConstraints: [
          {
            maxSkew,
            topologyKey: 'zone',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: { app: 'web' } },
            ...extra,
          },
        ],
      },
    });
  const nodes = (): NodeInfo[] => [
    zoneNode('a1', 'a', [web('w1'), web('w2')]),
    zoneNode('b1', 'b', [web('w3')]),
    zoneNode('c1', 'c'),
  ];

  it('allows only domains that keep the skew within maxSkew', () => {
    expect(filterAll(new PodTopologySpread(() => snapshotOf([])), spread(1), nodes())).toEqual({
      a1: 'Unschedulable',
      b1: 'Unschedulable',
      c1: 'Success',
    });
    expect(filterAll(new PodTopologySpread(() => snapshotOf([])), spread(2), nodes())).toEqual({
      a1: 'Unschedulable',
      b1: 'Success',
      c1: 'Success',
    });
  });
  it('rejects nodes missing the topology key as unresolvable', () => {
    const bare = nodeInfo(node('x'));
    const res = filterAll(new PodTopologySpread(() => snapshotOf([])), spread(1), [...nodes(), bare]);
    expect(res['x']).toBe('UnschedulableAndUnresolvable');
  });
  it('treats missing domains as 0 when minDomains is not reached', () => {
    const res = filterAll(new PodTopologySpread(() => snapshotOf([])), spread(1, { minDomains: 4 }), nodes());
    expect(res).toEqual({ a1: 'Unschedulable', b1: 'Unschedulable', c1: 'Success' });
  });
  it('skips pods without hard constraints', () => {
    expect(filterAll(new PodTopologySpread(() => snapshotOf([])), pod('p'), nodes())['a1']).toBe('Skip');
  });
  it('scores ScheduleAnyway constraints toward emptier domains', () => {
    const ns = nodes();
    const plugin = new PodTopologySpread(() => snapshotOf(ns));
    const p = pod('new', {
      labels: { app: 'web' },
      spec: {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'zone',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { app: 'web' } },
          },
        ],
      },
    });
    const s = state();
    plugin.preScore(s, p);
    const scores = Float64Array.from(ns.map((n) => plugin.score(s, p, n)));
    plugin.normalizeScores(s, p, scores);
    expect(scores[2]).toBeGreaterThan(scores[1] as number);
    expect(scores[1]).toBeGreaterThan(scores[0] as number);
  });
});

describe('InterPodAffinity filter', () => {
  const affinity = (kind: 'podAffinity' | 'podAntiAffinity', key = 'zone'): corev1.Pod =>
    pod('new', {
      labels: { app: 'new' },
      spec: {
        affinity: {
          [kind]: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: key, labelSelector: { matchLabels: { app: 'web' } } },
            ],
          },
        },
      },
    });
  const nodes = (): NodeInfo[] => [
    zoneNode('a1', 'a', [web('w1')]),
    zoneNode('a2', 'a'),
    zoneNode('b1', 'b'),
  ];

  it('required affinity: only nodes in a zone with a matching pod', () => {
    expect(filterAll(new InterPodAffinity(() => snapshotOf([])), affinity('podAffinity'), nodes())).toEqual({
      a1: 'Success',
      a2: 'Success',
      b1: 'UnschedulableAndUnresolvable',
    });
  });
  it('required anti-affinity: no node in a zone with a matching pod', () => {
    expect(
      filterAll(new InterPodAffinity(() => snapshotOf([])), affinity('podAntiAffinity'), nodes()),
    ).toEqual({ a1: 'Unschedulable', a2: 'Unschedulable', b1: 'Success' });
  });
  it("existing pods' anti-affinity keeps the pod away", () => {
    const guard = pod('guard', {
      labels: { app: 'guard' },
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } },
            ],
          },
        },
      },
    });
    const ns = [zoneNode('a1', 'a', [guard]), zoneNode('a2', 'a')];
    expect(filterAll(new InterPodAffinity(() => snapshotOf([])), web('new'), ns)).toEqual({
      a1: 'Unschedulable',
      a2: 'Success',
    });
  });
  it('the first pod of a self-affine group may go anywhere', () => {
    const first = pod('first', {
      labels: { app: 'web' },
      spec: {
        affinity: {
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } },
            ],
          },
        },
      },
    });
    const ns = [zoneNode('a1', 'a'), zoneNode('b1', 'b')];
    expect(filterAll(new InterPodAffinity(() => snapshotOf([])), first, ns)).toEqual({
      a1: 'Success',
      b1: 'Success',
    });
  });
  it('affinity terms look only at their namespaces', () => {
    const other = pod('w', { labels: { app: 'web' }, namespace: 'other' });
    const ns = [zoneNode('a1', 'a', [other]), zoneNode('b1', 'b')];
    expect(filterAll(new InterPodAffinity(() => snapshotOf([])), affinity('podAntiAffinity'), ns)).toEqual({
      a1: 'Success',
      b1: 'Success',
    });
  });
  it('scores preferred affinity toward zones with matching pods', () => {
    const ns = nodes();
    const plugin = new InterPodAffinity(() => snapshotOf(ns));
    const p = pod('new', {
      spec: {
        affinity: {
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 50,
                podAffinityTerm: { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } },
              },
            ],
          },
        },
      },
    });
    const s = state();
    expect(plugin.preScore(s, p).code).toBe('Success');
    const scores = Float64Array.from(ns.map((n) => plugin.score(s, p, n)));
    plugin.normalizeScores(s, p, scores);
    expect([...scores]).toEqual([100, 100, 0]);
  });
});
