import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Registry,
  serveMetricsApi,
  type MetricsSource,
  type NodeUsage,
  type PodUsage,
} from '@tugboat/apiserver';
import {
  getCondition,
  resources,
  type ApiClient,
  type appsv1,
  type autoscalingv2,
  type corev1,
} from '@tugboat/core';
import type { Subscription } from 'rxjs';

import { startCluster, until, type TestCluster } from './harness.js';

const { Deployments, Events, HorizontalPodAutoscalers, Pods } = resources;
type Hpa = autoscalingv2.HorizontalPodAutoscaler;

/** Every running pod of the namespace uses `milliCpu` (undefined: the metrics API has no samples). */
class LoadSource implements MetricsSource {
  milliCpu: number | undefined;
  constructor(private readonly api: ApiClient) {}
  nodes(): Promise<readonly NodeUsage[]> {
    return Promise.resolve([]);
  }
  async pods(): Promise<readonly PodUsage[]> {
    const load = this.milliCpu;
    if (load === undefined) return [];
    const pods = await this.api.list(Pods, { namespace: 'default' });
    return pods.items
      .filter((p) => p.status?.phase === 'Running')
      .map((p) => ({
        namespace: 'default',
        name: p.metadata?.name ?? '',
        timestampMs: Date.now(),
        windowMs: 15_000,
        containers: [{ name: 'c', cpuNanoCores: load * 1e6, memoryBytes: 64 * 1024 * 1024 }],
      }));
  }
}

/** Marks new pods Running and Ready with a start time, as a node agent would. */
function runPods(api: ApiClient): Subscription {
  return api.watch(Pods, { namespace: 'default' }).subscribe({
    next: (e) => {
      const pod = e.object;
      if (e.type !== 'ADDED' || pod.status?.phase === 'Running' || pod.metadata?.deletionTimestamp) return;
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      void api
        .updateStatus(Pods, {
          ...pod,
          status: {
            phase: 'Running',
            startTime: now,
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
          },
        })
        .catch(() => undefined);
    },
    error: () => undefined,
  });
}

const deployment: appsv1.Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'busybox:1', resources: { requests: { cpu: '100m' } } }] },
    },
  },
};

function hpa(name: string, target: string, maxReplicas: number): Hpa {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: 1,
      maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
        },
      ],
      // Shortened from upstream's 300 s so the test sees a scale-down; scale-up keeps its defaults.
      behavior: { scaleDown: { stabilizationWindowSeconds: 3 } },
    },
  };
}

describe('HorizontalPodAutoscaler controller (in-process cluster, metrics.k8s.io from a fake source)', () => {
  let cluster: TestCluster;
  let api: ApiClient;
  let source: LoadSource;
  let pods: Subscription;
  /** The highest `spec.replicas` the Deployment ever had. */
  let highest = 0;
  let watchDeployment: Subscription;
  let watchHpa: Subscription;
  /** Every status the HPA `web` was written with, in order. */
  const seen: autoscalingv2.HorizontalPodAutoscalerStatus[] = [];

  const replicas = async (): Promise<number> =>
    (await api.get(Deployments, 'web', { namespace: 'default' })).spec?.replicas ?? 0;
  const status = async (name = 'web'): Promise<autoscalingv2.HorizontalPodAutoscalerStatus> =>
    (await api.get(HorizontalPodAutoscalers, name, { namespace: 'default' })).status ?? {
      desiredReplicas: 0,
    };
  const events = async (reason: string): Promise<string[]> =>
    (await api.list(Events, { namespace: 'default' })).items
      .filter((e: corev1.Event) => e.reason === reason)
      .map((e: corev1.Event) => e.message ?? '');

  beforeAll(async () => {
    cluster = await startCluster(['replicaset', 'deployment', 'horizontalpodautoscaler'], {
      hpa: { syncPeriodMs: 200, cpuInitializationPeriodMs: 0, initialReadinessDelayMs: 0 },
    });
    api = cluster.api;
    source = new LoadSource(api);
    serveMetricsApi(cluster.container.get(Registry), source);
    pods = runPods(api);
    watchDeployment = api.watch(Deployments, { namespace: 'default' }).subscribe({
      next: (e) => {
        highest = Math.max(highest, e.object.spec?.replicas ?? 0);
      },
      error: () => undefined,
    });
    watchHpa = api.watch(HorizontalPodAutoscalers, { namespace: 'default' }).subscribe({
      next: (e) => {
        if (e.object.metadata?.name === 'web' && e.object.status !== undefined) seen.push(e.object.status);
      },
      error: () => undefined,
    });
    await api.create(Deployments, deployment);
    await until(async () =>
      (await api.list(Pods, { namespace: 'default' })).items.length === 1 ? true : undefined,
    );
  });
  afterAll(async () => {
    pods.unsubscribe();
    watchDeployment.unsubscribe();
    watchHpa.unsubscribe();
    await cluster.stop();
  });

  it('reports a missing scale target as AbleToScale=False FailedGetScale', async () => {
    await api.create(HorizontalPodAutoscalers, hpa('orphan', 'nothing-here', 3));
    const s = await until(async () => {
      const st = await status('orphan');
      return getCondition(st.conditions, 'AbleToScale')?.status === 'False' ? st : undefined;
    });
    expect(getCondition(s.conditions, 'AbleToScale')).toMatchObject({
      reason: 'FailedGetScale',
      message: expect.stringContaining("the HPA controller was unable to get the target's current scale:"),
    });
    await until(async () => ((await events('FailedGetScale')).length > 0 ? true : undefined));
    await api.delete(HorizontalPodAutoscalers, 'orphan', { namespace: 'default' });
  });

  it('reports missing metrics as ScalingActive=False FailedGetResourceMetric and scales nothing', async () => {
    await api.create(HorizontalPodAutoscalers, hpa('web', 'web', 5));
    const s = await until(async () => {
      const st = await status();
      return getCondition(st.conditions, 'ScalingActive')?.status === 'False' ? st : undefined;
    });
    expect(getCondition(s.conditions, 'ScalingActive')).toMatchObject({
      reason: 'FailedGetResourceMetric',
      message:
        'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    });
    expect(getCondition(s.conditions, 'AbleToScale')).toMatchObject({
      status: 'True',
      reason: 'SucceededGetScale',
    });
    expect(s.currentReplicas).toBe(1);
    await until(async () => ((await events('FailedComputeMetricsReplicas')).length > 0 ? true : undefined));
    expect(await replicas()).toBe(1);
  });

  it('scales up under load with upstream status, conditions and event', async () => {
    source.milliCpu = 200; // 200% of the 100m request against a 50% target: 4 replicas.
    await until(async () =>
      (await events('SuccessfulRescale')).includes(
        'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      )
        ? true
        : undefined,
    );
    // The status written with that rescale.
    const rescaled = await until(() =>
      seen.find((st) => st.desiredReplicas === 4 && st.lastScaleTime !== undefined),
    );
    expect(rescaled.currentReplicas).toBe(1);
    expect(rescaled.currentMetrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: 200, averageValue: '200m' } },
      },
    ]);
    expect(getCondition(rescaled.conditions, 'ScalingActive')).toMatchObject({
      status: 'True',
      reason: 'ValidMetricFound',
      message:
        'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
    });
    expect(getCondition(rescaled.conditions, 'AbleToScale')).toMatchObject({
      status: 'True',
      reason: 'SucceededRescale',
      message: 'the HPA controller was able to update the target scale to 4',
    });
    expect(getCondition(rescaled.conditions, 'ScalingLimited')).toMatchObject({
      status: 'False',
      reason: 'DesiredWithinRange',
    });
  });

  it('respects maxReplicas under sustained load (ScalingLimited TooManyReplicas)', async () => {
    const s = await until(async () => {
      const st = await status();
      return st.currentReplicas === 5 &&
        getCondition(st.conditions, 'ScalingLimited')?.reason === 'TooManyReplicas'
        ? st
        : undefined;
    });
    expect(getCondition(s.conditions, 'ScalingLimited')).toMatchObject({
      status: 'True',
      message: 'the desired replica count is more than the maximum replica count',
    });
    expect(await replicas()).toBe(5);
    expect(highest).toBe(5);
  });

  it('keeps the count within the 10% tolerance', async () => {
    source.milliCpu = 54; // 54% against 50%: a ratio of 1.08.
    const s = await until(async () => {
      const st = await status();
      return st.currentMetrics?.[0]?.resource?.current.averageUtilization === 54 ? st : undefined;
    });
    expect(s.desiredReplicas).toBe(5);
    expect(await replicas()).toBe(5);
  });

  it('scales down only after the stabilization window', async () => {
    source.milliCpu = 10; // 10%: 1 replica is enough.
    const held = await until(async () => {
      const st = await status();
      return st.currentMetrics?.[0]?.resource?.current.averageUtilization === 10 ? st : undefined;
    });
    expect(getCondition(held.conditions, 'AbleToScale')).toMatchObject({
      status: 'True',
      reason: 'ScaleDownStabilized',
      message:
        'recent recommendations were higher than current one, applying the highest recent recommendation',
    });
    expect(held.desiredReplicas).toBe(5);
    await until(async () => ((await replicas()) === 1 ? true : undefined), 20_000);
    expect(await events('SuccessfulRescale')).toContain('New size: 1; reason: All metrics below target');
    expect(highest).toBe(5);
  });
});
