import { describe, expect, it } from '@jest/globals';
import { silentLogger, type ApiClient, type PluginStatus } from '@tugboat/core';

import {
  Framework,
  PluginRegistry,
  fitErrorMessage,
  inTreeRegistry,
  numFeasibleNodesToFind,
  resolvePlugins,
  statusOf,
} from '../src/index.js';
import { CycleStateImpl } from '../src/framework/CycleStateImpl.js';
import { node, nodeInfo, pod, snapshotOf } from './helpers.js';

describe('fitErrorMessage', () => {
  it('aggregates reasons as upstream', () => {
    const statuses = new Map<string, PluginStatus>([
      ['a', statusOf('Unschedulable', 'Insufficient cpu')],
      ['b', statusOf('Unschedulable', 'Insufficient cpu')],
      ['c', statusOf('Unschedulable', 'Insufficient cpu', 'Insufficient memory')],
      ['d', statusOf('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {key: value}')],
      ['e', statusOf('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {key: value}')],
    ]);
    expect(
      fitErrorMessage(
        5,
        statuses,
        undefined,
        'preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.',
      ),
    ).toBe(
      '0/5 nodes are available: 1 Insufficient memory, 2 node(s) had untolerated taint {key: value}, 3 Insufficient cpu. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.',
    );
  });
});

describe('numFeasibleNodesToFind', () => {
  it.each([
    [50, 0, 50],
    [1000, 0, 420],
    [5000, 0, 500],
    [15000, 0, 750],
    [200, 0, 100],
    [5000, 50, 2500],
    [5000, 100, 5000],
  ])('%i nodes at %i%% → %i', (nodes, pct, want) => {
    expect(numFeasibleNodesToFind(pct, nodes)).toBe(want);
  });
});

describe('PluginRegistry and profiles', () => {
  it('refuses a duplicate name with AlreadyExists', () => {
    expect(() => inTreeRegistry().register('NodePorts', () => ({ name: 'NodePorts' }))).toThrow(
      expect.objectContaining({ code: 'AlreadyExists' }),
    );
    expect(() =>
      new PluginRegistry().merge(inTreeRegistry()).merge({ NodeName: () => ({ name: 'NodeName' }) }),
    ).toThrow(expect.objectContaining({ code: 'AlreadyExists' }));
  });
  it('resolves default plugins, disables and weights', () => {
    const names = resolvePlugins({
      schedulerName: 's',
      plugins: {
        disabled: ['NodePorts'],
        enabled: [{ name: 'TaintToleration', weight: 7 }, { name: 'Mine' }],
      },
    });
    expect(names.find((p) => p.name === 'NodePorts')).toBeUndefined();
    expect(names.find((p) => p.name === 'TaintToleration')?.weight).toBe(7);
    expect(names.at(-1)?.name).toBe('Mine');
    expect(resolvePlugins({ schedulerName: 's', plugins: { disabled: ['*'] } })).toEqual([]);
  });
  it('rejects a profile naming an unknown plugin', () => {
    const snap = snapshotOf([]);
    expect(
      () =>
        new Framework(
          { schedulerName: 's', plugins: { enabled: [{ name: 'Nope' }] } },
          inTreeRegistry(),
          {} as ApiClient,
          silentLogger,
          () => snap,
        ),
    ).toThrow(expect.objectContaining({ code: 'Invalid' }));
  });
});

describe('Framework cycle', () => {
  it('filters, scores and picks the emptier node', () => {
    const nodes = [
      nodeInfo(node('busy', { cpu: '4' }), [pod('x', { cpu: '3' })]),
      nodeInfo(node('idle', { cpu: '4' })),
      nodeInfo(node('small', { cpu: '100m' })),
    ];
    const snap = snapshotOf(nodes);
    const fwk = new Framework(
      { schedulerName: 's' },
      inTreeRegistry(),
      {} as ApiClient,
      silentLogger,
      () => snap,
    );
    const res = fwk.schedulePod(new CycleStateImpl(), pod('p', { cpu: '500m' }));
    expect(res).toMatchObject({ kind: 'scheduled', nodeName: 'idle', feasible: 2 });
  });
  it('reports per-node statuses when nothing fits', () => {
    const snap = snapshotOf([
      nodeInfo(node('a', { cpu: '1' })),
      nodeInfo(node('b', { cpu: '1', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] })),
    ]);
    const fwk = new Framework(
      { schedulerName: 's' },
      inTreeRegistry(),
      {} as ApiClient,
      silentLogger,
      () => snap,
    );
    const res = fwk.schedulePod(new CycleStateImpl(), pod('p', { cpu: '2' }));
    expect(res.kind).toBe('unschedulable');
    if (res.kind !== 'unschedulable') return;
    expect(fitErrorMessage(res.numAllNodes, res.statuses)).toBe(
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {k: v}.',
    );
  });
});
