import { Quantity, type ApiClient, type autoscalingv2, type corev1 } from '@tugboat/core';

import { rawResourceReplicas, resourceReplicas, type CalculatorSettings } from './replicaCalculator.js';
import { resourceMetrics } from './resourceMetrics.js';

/** One metric's proposal: a replica count, the metric's name for events, and its current status. */
export type MetricProposal =
  | {
      readonly replicas: number;
      readonly name: string;
      readonly timestampMs: number;
      readonly status: autoscalingv2.MetricStatus;
    }
  | {
      /** The `ScalingActive=False` reason (`FailedGetResourceMetric`, `InvalidMetricSourceType`). */
      readonly reason: string;
      readonly error: string;
    };

/** What one metric is evaluated against. */
export interface MetricContext {
  readonly api: ApiClient;
  readonly namespace: string;
  /** The scale target's selector, as the scale subresource serves it. */
  readonly selector: string;
  /** The pods it selects. */
  readonly pods: readonly corev1.Pod[];
  /** `spec.replicas` of the scale target. */
  readonly specReplicas: number;
  readonly settings: CalculatorSettings;
}

/**
 * Upstream's `computeReplicasForMetric` for the metric sources Tugboat serves — `Resource` (cpu,
 * memory; `Utilization` of requests or `AverageValue`) read from `metrics.k8s.io` through the
 * ApiClient. Other source types are reported as `InvalidMetricSourceType`.
 */
export async function metricReplicas(
  spec: autoscalingv2.MetricSpec,
  ctx: MetricContext,
): Promise<MetricProposal> {
  if (spec.type !== 'Resource' || spec.resource === undefined) {
    return { reason: 'InvalidMetricSourceType', error: `unknown metric source type "${spec.type}"` };
  }
  const { name, target } = spec.resource;
  const byValue = target.averageValue !== undefined;
  if (!byValue && target.averageUtilization === undefined) {
    return {
      reason: 'FailedGetResourceMetric',
      error:
        'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set',
    };
  }
  const failed = (why: string): MetricProposal => ({
    reason: 'FailedGetResourceMetric',
    error: `failed to get ${name} ${byValue ? 'usage' : 'utilization'}: ${why}`,
  });
  let metrics;
  try {
    metrics = await resourceMetrics(ctx.api, ctx.namespace, ctx.selector, name);
  } catch (err) {
    return failed(
      `unable to get metrics for resource ${name}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const input = {
    currentReplicas: ctx.specReplicas,
    resource: name,
    pods: ctx.pods,
    metrics,
    settings: ctx.settings,
  };
  if (byValue) {
    const targetAverage = Quantity.tryParse(String(target.averageValue));
    if (targetAverage === undefined) return failed(`invalid average value ${String(target.averageValue)}`);
    const result = rawResourceReplicas(input, targetAverage.milliValue());
    if ('error' in result) return failed(result.error);
    return {
      replicas: result.replicas,
      name: `${name} resource`,
      timestampMs: result.timestampMs,
      status: {
        type: 'Resource',
        resource: { name, current: { averageValue: Quantity.fromMillis(result.rawAverage).toString() } },
      },
    };
  }
  const result = resourceReplicas(input, target.averageUtilization ?? 0);
  if ('error' in result) return failed(result.error);
  return {
    replicas: result.replicas,
    name: `${name} resource utilization (percentage of request)`,
    timestampMs: result.timestampMs,
    status: {
      type: 'Resource',
      resource: {
        name,
        current: {
          averageUtilization: result.utilization ?? 0,
          averageValue: Quantity.fromMillis(result.rawAverage).toString(),
        },
      },
    },
  };
}
