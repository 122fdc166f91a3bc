import { describe, expect, it } from '@jest/globals';
import { ApiError, Reconciler, type corev1 } from '@tugboat/core';
import { Container } from 'inversify';

import { nodeShouldRun } from '../src/daemonset/nodeShouldRun.js';
import { resolveFenceposts } from '../src/deployment/deploymentUtil.js';
import { controllersModule, Expectations, templateHash } from '../src/index.js';
import { scaledValue } from '../src/internal/intOrPercent.js';
import { rankPodsForDeletion } from '../src/replicaset/rankPodsForDeletion.js';
import { slowStartBatch } from '../src/replicaset/slowStartBatch.js';

function pod(
  name: string,
  opts: {
    node?: string;
    phase?: string;
    ready?: boolean;
    created?: string;
    readySince?: string;
    restarts?: number;
  } = {},
): corev1.Pod {
  return {
    metadata: { name, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z' },
    spec: { containers: [], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [
        {
          type: 'Ready',
          status: opts.ready === false ? 'False' : 'True',
          lastTransitionTime: opts.readySince ?? '2026-01-01T00:00:00Z',
        },
      ],
      containerStatuses: [
        { name: 'c', image: 'i', imageID: '', ready: true, restartCount: opts.restarts ?? 0 },
      ],
    },
  };
}

describe('deletion ranking', () => {
  it('deletes unassigned, pending, not ready, crowded, recently ready, restarted and newer pods first', () => {
    const ranked = rankPodsForDeletion([
      pod('old-ready', { node: 'a' }),
      pod('newer', { node: 'b', created: '2026-01-02T00:00:00Z' }),
      pod('restarted', { node: 'c', restarts: 3 }),
      pod('recently-ready', { node: 'd', readySince: '2026-01-05T00:00:00Z' }),
      pod('not-ready', { node: 'e', ready: false }),
      pod('pending', { node: 'f', phase: 'Pending', ready: false }),
      pod('unassigned', { phase: 'Pending', ready: false }),
    ]);
    expect(ranked.map((p) => p.metadata?.name)).toEqual([
      'unassigned',
      'pending',
      'not-ready',
      'recently-ready',
      'restarted',
      'newer',
      'old-ready',
    ]);
    const crowded = rankPodsForDeletion([
      pod('alone', { node: 'x' }),
      pod('pair-1', { node: 'y' }),
      pod('pair-2', { node: 'y' }),
    ]);
    expect(crowded.at(-1)?.metadata?.name).toBe('alone');
  });
});

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4, … and stops after a failing batch', async () => {
    const sizes: number[] = [];
    let inFlight = 0;
    let calls = 0;
    const run = (failAt: number) => async () => {
      const n = ++calls;
      inFlight++;
      sizes.push(inFlight);
      await Promise.resolve();
      inFlight--;
      if (n === failAt) throw new ApiError('Forbidden', 'quota');
    };
    expect(await slowStartBatch(10, run(-1))).toEqual({ succeeded: 10, attempted: 10 });
    expect(Math.max(...sizes)).toBe(4); // 1 + 2 + 4 + 3
    calls = 0;
    const r = await slowStartBatch(10, run(2));
    expect(r).toMatchObject({ succeeded: 2, attempted: 3 });
    expect(r.error).toBeInstanceOf(ApiError);
  });
});

describe('pod-template-hash', () => {
  it('is stable across key order, safe-encoded, and changes with the collision count', () => {
    const a = templateHash({
      metadata: { labels: { x: '1', y: '2' } },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    });
    const b = templateHash({
      spec: { containers: [{ image: 'i', name: 'c' }] },
      metadata: { labels: { y: '2', x: '1' } },
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(templateHash({ spec: {} }, 1)).not.toBe(templateHash({ spec: {} }));
  });
});

describe('maxSurge and maxUnavailable', () => {
  it('rounds surge up and unavailable down, as upstream', () => {
    expect(scaledValue('25%', 10, true)).toBe(3);
    expect(scaledValue('25%', 10, false)).toBe(2);
    expect(scaledValue(2, 10, false)).toBe(2);
    expect(() => scaledValue('many', 10, true)).toThrow(ApiError);
    const d = (maxSurge: string | number, maxUnavailable: string | number) => ({
      spec: {
        replicas: 3,
        selector: {},
        template: {},
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } },
      },
    });
    expect(resolveFenceposts(d('25%', '25%'))).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts(d(0, 0))).toEqual({ surge: 0, unavailable: 1 });
  });
});

describe('Expectations', () => {
  it('is satisfied only once every expected create and delete is observed', () => {
    const e = new Expectations();
    expect(e.satisfied('k')).toBe(true);
    e.expectCreations('k', 2);
    e.creationObserved('k');
    expect(e.satisfied('k')).toBe(false);
    e.creationObserved('k');
    expect(e.satisfied('k')).toBe(true);
    e.expectDeletions('k', ['u1']);
    expect(e.satisfied('k')).toBe(false);
    e.deletionObserved('k', 'u1');
    expect(e.satisfied('k')).toBe(true);
  });

  it('stops trusting unmet expectations after five minutes', () => {
    let now = 0;
    const e = new Expectations(() => now);
    e.expectCreations('k', 1);
    now = 5 * 60_000 + 1;
    expect(e.satisfied('k')).toBe(true);
  });
});

describe('nodeShouldRun', () => {
  const template = (spec: Partial<corev1.PodSpec>): corev1.PodTemplateSpec => ({
    spec: { containers: [], ...spec },
  });
  it('honours nodeSelector, required affinity and taints', () => {
    const node: corev1.Node = {
      metadata: { name: 'n', labels: { zone: 'a', cpus: '8' } },
      spec: { taints: [{ key: 'gpu', effect: 'NoSchedule' }] },
    };
    expect(nodeShouldRun(node, template({}))).toBe(false);
    const tolerant = { tolerations: [{ key: 'gpu', operator: 'Exists' }] };
    expect(nodeShouldRun(node, template(tolerant))).toBe(true);
    expect(nodeShouldRun(node, template({ ...tolerant, nodeSelector: { zone: 'b' } }))).toBe(false);
    const affinity = (operator: string, values: string[]) => ({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'cpus', operator, values }] }],
        },
      },
    });
    expect(nodeShouldRun(node, template({ ...tolerant, affinity: affinity('Gt', ['4']) }))).toBe(true);
    expect(nodeShouldRun(node, template({ ...tolerant, affinity: affinity('Lt', ['4']) }))).toBe(false);
    // Node trouble taints are tolerated by every daemon pod.
    const unreachable: corev1.Node = {
      metadata: { name: 'u' },
      spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] },
    };
    expect(nodeShouldRun(unreachable, template({}))).toBe(true);
  });
});

describe('controllersModule', () => {
  it('binds the selected controllers to the Reconciler token and rejects unknown names', () => {
    const names = (m: ReturnType<typeof controllersModule>) => {
      const c = new Container();
      c.load(m);
      return c.isBound(Reconciler);
    };
    expect(names(controllersModule({ controllers: ['replicaset'] }))).toBe(true);
    expect(names(controllersModule({ controllers: [] }))).toBe(false);
    expect(() => controllersModule({ controllers: ['nope' as 'replicaset'] })).toThrow(ApiError);
  });
});
