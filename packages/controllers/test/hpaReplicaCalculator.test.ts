import { describe, expect, it } from '@jest/globals';
import type { corev1 } from '@tugboat/core';

import {
  rawResourceReplicas,
  resourceReplicas,
  type PodMetric,
  type ReplicaCalculation,
} from '../src/index.js';

// The settings and times of upstream's replica_calculator_test.go.
const now = Date.parse('2026-11-27T08:00:00Z');
const settings = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 2 * 60_000,
  delayOfInitialReadinessStatusMs: 10_000,
  nowMs: now,
};
const cool = now - 3 * 60_000;
const hot = now;
const containersPerPod = 2;

/** One of upstream's table cases: every pod has two containers with the request and the level. */
interface Case {
  readonly currentReplicas: number;
  readonly requests: readonly string[];
  /** Per-container usage in milli-units of the first pods; the rest have no sample. */
  readonly levels: readonly number[];
  readonly readiness?: readonly ('True' | 'False')[];
  readonly phases?: readonly string[];
  readonly deleted?: readonly boolean[];
  readonly startTimes?: readonly number[];
  readonly resource?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function inputOf(tc: Case): Parameters<typeof resourceReplicas>[0] {
  const pods: corev1.Pod[] = tc.requests.map((request, i) => {
    const start = tc.startTimes?.[i] ?? cool;
    return {
      metadata: {
        name: `pod-${i}`,
        namespace: 'default',
        ...(tc.deleted?.[i] ? { deletionTimestamp: iso(now) } : {}),
      },
      spec: {
        containers: Array.from({ length: containersPerPod }, (_, c) => ({
          name: `c${c}`,
          image: 'busybox',
          resources: { requests: { [tc.resource ?? 'cpu']: request } },
        })),
      },
      status: {
        phase: tc.phases?.[i] ?? 'Running',
        startTime: iso(start),
        conditions: [{ type: 'Ready', status: tc.readiness?.[i] ?? 'True', lastTransitionTime: iso(start) }],
      },
    };
  });
  const metrics = new Map<string, PodMetric>(
    tc.levels.map((level, i) => [
      `pod-${i}`,
      { value: level * containersPerPod, timestampMs: now, windowMs: 60_000 },
    ]),
  );
  return { currentReplicas: tc.currentReplicas, resource: tc.resource ?? 'cpu', pods, metrics, settings };
}

const ones = (n: number): string[] => Array.from({ length: n }, () => '1.0');

describe('the replica calculation (upstream GetResourceReplicas cases)', () => {
  const cases: [string, Case, number, { replicas: number; utilization: number; rawAverage: number }][] = [
    [
      'ScaleUp',
      { currentReplicas: 3, requests: ones(3), levels: [300, 500, 700] },
      30,
      { replicas: 5, utilization: 50, rawAverage: 1000 },
    ],
    [
      'ScaleUpUnreadyLessScale',
      {
        currentReplicas: 3,
        requests: ones(3),
        levels: [300, 500, 700],
        readiness: ['False', 'True', 'True'],
      },
      30,
      { replicas: 4, utilization: 60, rawAverage: 1200 },
    ],
    [
      'ScaleUpHotCpuLessScale',
      { currentReplicas: 3, requests: ones(3), levels: [300, 500, 700], startTimes: [hot, cool, cool] },
      30,
      { replicas: 4, utilization: 60, rawAverage: 1200 },
    ],
    [
      'ScaleUpUnreadyNoScale',
      {
        currentReplicas: 3,
        requests: ones(3),
        levels: [400, 500, 700],
        readiness: ['True', 'False', 'False'],
      },
      30,
      { replicas: 3, utilization: 40, rawAverage: 800 },
    ],
    [
      'ScaleHotCpuNoScale',
      {
        currentReplicas: 3,
        requests: ones(3),
        levels: [400, 500, 700],
        readiness: ['True', 'False', 'False'],
        startTimes: [cool, hot, hot],
      },
      30,
      { replicas: 3, utilization: 40, rawAverage: 800 },
    ],
    [
      'ScaleUpIgnoresFailedPods',
      {
        currentReplicas: 2,
        requests: ones(4),
        levels: [500, 700],
        readiness: ['True', 'True', 'False', 'False'],
        phases: ['Running', 'Running', 'Failed', 'Failed'],
      },
      30,
      { replicas: 4, utilization: 60, rawAverage: 1200 },
    ],
    [
      'ScaleUpIgnoresDeletionPods',
      {
        currentReplicas: 2,
        requests: ones(4),
        levels: [500, 700],
        readiness: ['True', 'True', 'False', 'False'],
        deleted: [false, false, true, true],
      },
      30,
      { replicas: 4, utilization: 60, rawAverage: 1200 },
    ],
    [
      'ScaleDown',
      { currentReplicas: 5, requests: ones(5), levels: [100, 300, 500, 250, 250] },
      50,
      { replicas: 3, utilization: 28, rawAverage: 560 },
    ],
    [
      'ScaleDownIncludeUnreadyPods',
      {
        currentReplicas: 5,
        requests: ones(5),
        levels: [100, 300, 500, 250, 250],
        readiness: ['True', 'True', 'True', 'False', 'False'],
      },
      50,
      { replicas: 2, utilization: 30, rawAverage: 600 },
    ],
    [
      'ScaleDownExcludeUnscheduledPods',
      {
        currentReplicas: 5,
        requests: ones(5),
        levels: [100],
        readiness: ['True', 'False', 'False', 'False', 'False'],
        phases: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'],
      },
      50,
      { replicas: 1, utilization: 10, rawAverage: 200 },
    ],
    [
      'ScaleDownIgnoreHotCpuPods',
      {
        currentReplicas: 5,
        requests: ones(5),
        levels: [100, 300, 500, 250, 250],
        startTimes: [cool, cool, cool, hot, hot],
      },
      50,
      { replicas: 2, utilization: 30, rawAverage: 600 },
    ],
    [
      'Tolerance',
      { currentReplicas: 3, requests: ['0.9', '1.0', '1.1'], levels: [1010, 1030, 1020] },
      100,
      { replicas: 3, utilization: 102, rawAverage: 2040 },
    ],
    [
      'MissingMetrics',
      { currentReplicas: 4, requests: ones(4), levels: [400, 95] },
      100,
      { replicas: 3, utilization: 24, rawAverage: 495 },
    ],
    [
      'MissingMetricsNoChangeEq',
      { currentReplicas: 2, requests: ones(2), levels: [1000] },
      100,
      { replicas: 2, utilization: 100, rawAverage: 2000 },
    ],
    [
      'MissingMetricsNoChangeGt',
      { currentReplicas: 2, requests: ones(2), levels: [1900] },
      100,
      { replicas: 2, utilization: 190, rawAverage: 3800 },
    ],
    [
      'MissingMetricsNoChangeLt',
      { currentReplicas: 2, requests: ones(2), levels: [600] },
      100,
      { replicas: 2, utilization: 60, rawAverage: 1200 },
    ],
    [
      'MissingMetricsUnreadyChange',
      { currentReplicas: 3, requests: ones(3), levels: [100, 450], readiness: ['False', 'True', 'True'] },
      50,
      { replicas: 3, utilization: 45, rawAverage: 900 },
    ],
    [
      'MissingMetricsHotCpuNoChange',
      { currentReplicas: 3, requests: ones(3), levels: [100, 450], startTimes: [hot, cool, cool] },
      50,
      { replicas: 3, utilization: 45, rawAverage: 900 },
    ],
    [
      'MissingMetricsUnreadyScaleUp',
      { currentReplicas: 3, requests: ones(3), levels: [100, 2000], readiness: ['False', 'True', 'True'] },
      50,
      { replicas: 4, utilization: 200, rawAverage: 4000 },
    ],
    [
      'MissingMetricsHotCpuScaleUp',
      {
        currentReplicas: 3,
        requests: ones(3),
        levels: [100, 2000],
        readiness: ['False', 'True', 'True'],
        startTimes: [hot, cool, cool],
      },
      50,
      { replicas: 4, utilization: 200, rawAverage: 4000 },
    ],
    [
      'MissingMetricsUnreadyScaleDown',
      {
        currentReplicas: 4,
        requests: ones(4),
        levels: [100, 100, 100],
        readiness: ['False', 'True', 'True', 'True'],
      },
      50,
      { replicas: 3, utilization: 10, rawAverage: 200 },
    ],
    [
      'DuringRollingUpdateWithMaxSurge',
      { currentReplicas: 2, requests: ones(3), levels: [100, 100] },
      50,
      { replicas: 2, utilization: 10, rawAverage: 200 },
    ],
  ];

  it.each(cases)('%s', (_name, tc, target, expected) => {
    expect(resourceReplicas(inputOf(tc), target)).toMatchObject(expected);
  });

  it('reports a container without a request, no pods and no ready samples as errors, not counts', () => {
    const noRequest = inputOf({ currentReplicas: 1, requests: ['1.0'], levels: [200] });
    const pod = noRequest.pods[0];
    const stripped = {
      ...noRequest,
      pods: [{ ...pod, spec: { containers: [{ name: 'c0', image: 'busybox' }] } }],
    };
    expect(resourceReplicas(stripped, 100)).toEqual({
      error: 'missing request for cpu in container c0 of Pod pod-0',
    });
    expect(resourceReplicas({ ...noRequest, pods: [] }, 100)).toEqual({
      error: 'no pods returned by selector while calculating replica count',
    });
    const allUnready = inputOf({
      currentReplicas: 2,
      requests: ones(2),
      levels: [500, 500],
      readiness: ['False', 'False'],
    });
    expect(resourceReplicas(allUnready, 50)).toEqual({
      error: 'did not receive metrics for targeted pods (pods might be unready)',
    });
  });

  it('applies the tolerance at its edge, as upstream TestReplicaCalcComputedToleranceAlgImplementation', () => {
    // 10 pods whose containers use 150m of about 300m requested: 50% of request.
    const requests = [400, 200, 310, 290, 302, 298, 301, 299, 300, 300].map((m) => `${m}m`);
    const tc = { currentReplicas: 10, requests, levels: requests.map(() => 150) };
    // A target just past 1/(2 × (1 - tolerance)) (56%) scales down to ceil(50/56 × 10) = 9 …
    expect(resourceReplicas(inputOf(tc), Math.trunc((1 / (2 * 0.9) + 0.01) * 100))).toMatchObject({
      replicas: 9,
      utilization: 50,
    });
    // … one just inside the tolerance (55%) keeps the count.
    expect(resourceReplicas(inputOf(tc), Math.trunc((1 / (2 * 0.9) + 0.004) * 100))).toMatchObject({
      replicas: 10,
    });
  });

  it('computes AverageValue targets per pod (upstream calcPlainMetricReplicas)', () => {
    const memory = (levels: number[], readiness?: ('True' | 'False')[]): ReplicaCalculation =>
      rawResourceReplicas(
        inputOf({
          currentReplicas: 3,
          requests: ones(3),
          levels,
          resource: 'memory',
          ...(readiness ? { readiness } : {}),
        }),
        // 200 Mi per pod, in milli-bytes.
        200 * 1024 * 1024 * 1000,
      );
    const mi = 1024 * 1024 * 1000;
    // 2 × 150 Mi per pod: 300 Mi against 200 Mi → ceil(1.5 × 3) = 5.
    expect(memory([150 * mi, 150 * mi, 150 * mi])).toMatchObject({ replicas: 5, rawAverage: 300 * mi });
    // Within the tolerance.
    expect(memory([105 * mi, 100 * mi, 95 * mi])).toMatchObject({ replicas: 3 });
    // Memory does not distrust unready pods the way CPU does: all three count.
    expect(memory([50 * mi, 50 * mi, 50 * mi], ['False', 'True', 'True'])).toMatchObject({ replicas: 2 });
  });
});
