import { describe, expect, it } from '@jest/globals';
import type { corev1 } from '@tugboat/core';

import {
  NodeAffinity,
  NodeName,
  NodePorts,
  NodeResourcesBalancedAllocation,
  NodeResourcesFit,
  NodeUnschedulable,
  PrioritySort,
  TaintToleration,
  podInfoOf,
} from '../src/index.js';
import { node, nodeInfo, pod, state } from './helpers.js';

const run = (
  p: {
    preFilter?: (s: never, pod: corev1.Pod, snap: never) => unknown;
    filter: (s: never, pod: corev1.Pod, n: never) => { code: string; reasons: readonly string[] };
  },
  po: corev1.Pod,
  n: ReturnType<typeof nodeInfo>,
) => {
  const s = state();
  p.preFilter?.(s as never, po, undefined as never);
  return p.filter(s as never, po, n as never);
};

describe('pod requests', () => {
  it.each([
    [
      'sum of containers',
      {
        containers: [
          { name: 'a', resources: { requests: { cpu: '100m' } } },
          { name: 'b', resources: { requests: { cpu: '250m' } } },
        ],
      },
      350,
    ],
    [
      'max of init containers when larger',
      {
        containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }],
        initContainers: [{ name: 'i', resources: { requests: { cpu: '2' } } }],
      },
      2000,
    ],
    [
      'plus overhead',
      { containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }], overhead: { cpu: '50m' } },
      150,
    ],
  ] as [string, Partial<corev1.PodSpec>, number][])('%s', (_n, spec, cpu) => {
    expect(podInfoOf({ spec: spec as corev1.PodSpec }).requests['cpu']).toBe(cpu);
  });
  it('uses upstream non-zero defaults for scoring', () => {
    const info = podInfoOf({ spec: { containers: [{ name: 'a' }] } });
    expect(info.nonZeroCpu).toBe(100);
    expect(info.nonZeroMemory).toBe(200 * 1024 * 1024);
  });
});

describe('NodeResourcesFit filter', () => {
  const full = nodeInfo(node('n', { cpu: '1', memory: '1Gi', pods: 2 }), [
    pod('x', { cpu: '600m', memory: '512Mi' }),
  ]);
  it.each([
    ['fits', pod('p', { cpu: '400m', memory: '512Mi' }), 'Success', []],
    ['insufficient cpu', pod('p', { cpu: '500m' }), 'Unschedulable', ['Insufficient cpu']],
    [
      'insufficient cpu and memory',
      pod('p', { cpu: '500m', memory: '1Gi' }),
      'Unschedulable',
      ['Insufficient cpu', 'Insufficient memory'],
    ],
    ['no requests always fit', pod('p'), 'Success', []],
  ] as [string, corev1.Pod, string, string[]][])('%s', (_n, p, code, reasons) => {
    const s = run(new NodeResourcesFit(), p, full);
    expect(s.code).toBe(code);
    expect(s.reasons).toEqual(reasons);
  });
  it('counts pods against allocatable pods', () => {
    const n = nodeInfo(node('n', { pods: 1 }), [pod('x')]);
    expect(run(new NodeResourcesFit(), pod('p'), n).reasons).toEqual(['Too many pods']);
  });
  it('checks ephemeral-storage and extended resources', () => {
    const n = nodeInfo(node('n', { ephemeral: '1Gi', extra: { 'example.com/gpu': '1' } }));
    const p = pod('p', {
      spec: {
        containers: [
          { name: 'c', resources: { requests: { 'ephemeral-storage': '2Gi', 'example.com/gpu': '2' } } },
        ],
      },
    });
    expect(run(new NodeResourcesFit(), p, n).reasons).toEqual([
      'Insufficient ephemeral-storage',
      'Insufficient example.com/gpu',
    ]);
    expect(run(new NodeResourcesFit({ ignoredResources: ['example.com/gpu'] }), p, n).reasons).toEqual([
      'Insufficient ephemeral-storage',
    ]);
  });
});

describe('NodeResourcesFit scoring strategies', () => {
  const empty = nodeInfo(node('e', { cpu: '4', memory: '8Gi' }));
  const busy = nodeInfo(node('b', { cpu: '4', memory: '8Gi' }), [pod('x', { cpu: '3', memory: '6Gi' })]);
  const p = pod('p', { cpu: '1', memory: '2Gi' });
  it('LeastAllocated prefers the emptier node', () => {
    const fit = new NodeResourcesFit();
    expect(fit.score(state(), p, empty)).toBe(75);
    expect(fit.score(state(), p, busy)).toBe(0);
  });
  it('MostAllocated prefers the fuller node', () => {
    const fit = new NodeResourcesFit({ scoringStrategy: { type: 'MostAllocated' } });
    expect(fit.score(state(), p, busy)).toBe(100);
    expect(fit.score(state(), p, empty)).toBe(25);
  });
  it('RequestedToCapacityRatio follows the shape', () => {
    const fit = new NodeResourcesFit({
      scoringStrategy: {
        type: 'RequestedToCapacityRatio',
        requestedToCapacityRatio: {
          shape: [
            { utilization: 0, score: 0 },
            { utilization: 100, score: 10 },
          ],
        },
      },
    });
    expect(fit.score(state(), p, empty)).toBe(25);
    expect(fit.score(state(), p, busy)).toBe(100);
  });
  it('rejects a bad shape with a typed error', () => {
    expect(
      () =>
        new NodeResourcesFit({
          scoringStrategy: {
            type: 'RequestedToCapacityRatio',
            requestedToCapacityRatio: { shape: [{ utilization: 200, score: 1 }] },
          },
        }),
    ).toThrow(expect.objectContaining({ code: 'Invalid' }));
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  it('prefers balanced cpu/memory use', () => {
    const b = new NodeResourcesBalancedAllocation();
    const n = nodeInfo(node('n', { cpu: '4', memory: '4Gi' }));
    expect(b.score(state(), pod('p', { cpu: '2', memory: '2Gi' }), n)).toBe(100);
    expect(b.score(state(), pod('q', { cpu: '4', memory: '0' }), n)).toBe(50);
  });
});

describe('NodeUnschedulable, NodeName', () => {
  const cordoned = nodeInfo(node('n', { unschedulable: true }));
  it.each([
    ['rejects a cordoned node', pod('p'), 'UnschedulableAndUnresolvable'],
    [
      'admits a pod tolerating it',
      pod('p', {
        spec: {
          tolerations: [
            { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
          ],
        },
      }),
      'Success',
    ],
  ] as [string, corev1.Pod, string][])('%s', (_n, p, code) => {
    expect(run(new NodeUnschedulable(), p, cordoned).code).toBe(code);
  });
  it('NodeName matches only the named node', () => {
    const n = nodeInfo(node('a'));
    expect(run(new NodeName(), pod('p', { nodeName: 'a' }), n).code).toBe('Success');
    expect(run(new NodeName(), pod('p', { nodeName: 'b' }), n).reasons).toEqual([
      "node(s) didn't match the requested node name",
    ]);
  });
});

describe('TaintToleration', () => {
  const tainted = nodeInfo(node('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  it.each([
    ['no toleration', [], 'UnschedulableAndUnresolvable'],
    [
      'Equal toleration',
      [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      'Success',
    ],
    ['Exists toleration', [{ key: 'dedicated', operator: 'Exists' }], 'Success'],
    ['wrong value', [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }], 'UnschedulableAndUnresolvable'],
    [
      'wrong effect',
      [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }],
      'UnschedulableAndUnresolvable',
    ],
  ] as [string, corev1.Toleration[], string][])('%s', (_n, tolerations, code) => {
    expect(run(new TaintToleration(), pod('p', { spec: { tolerations } }), tainted).code).toBe(code);
  });
  it('names the untolerated taint as upstream does', () => {
    expect(run(new TaintToleration(), pod('p'), tainted).reasons).toEqual([
      'node(s) had untolerated taint {dedicated: gpu}',
    ]);
  });
  it('scores fewer PreferNoSchedule taints higher', () => {
    const t = new TaintToleration();
    const soft = nodeInfo(node('s', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }));
    const clean = nodeInfo(node('c'));
    const scores = Float64Array.from([t.score(state(), pod('p'), soft), t.score(state(), pod('p'), clean)]);
    t.normalizeScores(state(), pod('p'), scores);
    expect([...scores]).toEqual([0, 100]);
  });
});

describe('NodeAffinity', () => {
  const n = nodeInfo(node('n1', { labels: { zone: 'a', gen: '5' } }));
  const req = (
    exprs: corev1.NodeSelectorRequirement[],
    fields: corev1.NodeSelectorRequirement[] = [],
  ): corev1.Pod =>
    pod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: exprs, matchFields: fields }],
            },
          },
        },
      },
    });
  it.each([
    ['nodeSelector match', pod('p', { spec: { nodeSelector: { zone: 'a' } } }), 'Success'],
    [
      'nodeSelector miss',
      pod('p', { spec: { nodeSelector: { zone: 'b' } } }),
      'UnschedulableAndUnresolvable',
    ],
    ['In', req([{ key: 'zone', operator: 'In', values: ['a', 'b'] }]), 'Success'],
    ['NotIn', req([{ key: 'zone', operator: 'NotIn', values: ['a'] }]), 'UnschedulableAndUnresolvable'],
    ['Exists', req([{ key: 'gen', operator: 'Exists' }]), 'Success'],
    ['DoesNotExist', req([{ key: 'gen', operator: 'DoesNotExist' }]), 'UnschedulableAndUnresolvable'],
    ['Gt', req([{ key: 'gen', operator: 'Gt', values: ['4'] }]), 'Success'],
    ['Lt', req([{ key: 'gen', operator: 'Lt', values: ['4'] }]), 'UnschedulableAndUnresolvable'],
    [
      'matchFields metadata.name',
      req([], [{ key: 'metadata.name', operator: 'In', values: ['n1'] }]),
      'Success',
    ],
  ] as [string, corev1.Pod, string][])('%s', (_n, p, code) => {
    expect(run(new NodeAffinity(), p, n).code).toBe(code);
  });
  it('scores preferred terms by weight', () => {
    const p = pod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 10,
                preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
              },
              {
                weight: 5,
                preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
              },
            ],
          },
        },
      },
    });
    expect(new NodeAffinity().score(state(), p, n)).toBe(10);
  });
});

describe('NodePorts', () => {
  const used = nodeInfo(node('n'), [pod('x', { ports: [{ containerPort: 80, hostPort: 8080 }] })]);
  it.each([
    ['same port clashes', [{ containerPort: 1, hostPort: 8080 }], 'Unschedulable'],
    ['other protocol is free', [{ containerPort: 1, hostPort: 8080, protocol: 'UDP' }], 'Success'],
    [
      'specific IP clashes with 0.0.0.0',
      [{ containerPort: 1, hostPort: 8080, hostIP: '10.0.0.1' }],
      'Unschedulable',
    ],
    ['other port is free', [{ containerPort: 1, hostPort: 9090 }], 'Success'],
  ] as [string, corev1.ContainerPort[], string][])('%s', (_n, ports, code) => {
    expect(run(new NodePorts(), pod('p', { ports }), used).code).toBe(code);
  });
});

describe('PrioritySort', () => {
  it('orders by priority, then queue time', () => {
    const s = new PrioritySort();
    const hi = { pod: pod('a', { spec: { priority: 10 } }), timestamp: 2 };
    const lo = { pod: pod('b', { spec: { priority: 1 } }), timestamp: 1 };
    const lo2 = { pod: pod('c', { spec: { priority: 1 } }), timestamp: 3 };
    expect(s.less(hi, lo)).toBe(true);
    expect(s.less(lo, hi)).toBe(false);
    expect(s.less(lo, lo2)).toBe(true);
  });
});
