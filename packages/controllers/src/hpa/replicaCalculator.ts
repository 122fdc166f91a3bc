import { getCondition, Quantity, type corev1 } from '@tugboat/core';

/** One pod's measured usage of a resource, as upstream's `PodMetric`: milli-units and the sample. */
export interface PodMetric {
  /** Usage in thousandths (millicores, millibytes). */
  readonly value: number;
  readonly timestampMs: number;
  readonly windowMs: number;
}

/** Tunables of the calculation, upstream's controller-manager flags. */
export interface CalculatorSettings {
  /** The ratio change below which nothing is scaled (default 0.1). */
  readonly tolerance: number;
  /** CPU samples of a pod younger than this are trusted only once it has been ready one window. */
  readonly cpuInitializationPeriodMs: number;
  /** A pod never ready within this of its start is ignored for CPU. */
  readonly delayOfInitialReadinessStatusMs: number;
  readonly nowMs: number;
}

/** What a resource metric calls for: a replica count, or why none can be computed. */
export type ReplicaCalculation =
  | {
      readonly replicas: number;
      /** Current average utilization in percent of request (Utilization targets only). */
      readonly utilization?: number;
      /** Current average usage per pod, in milli-units. */
      readonly rawAverage: number;
      readonly timestampMs: number;
    }
  | { readonly error: string };

/** The inputs shared by both calculations. */
export interface CalculationInput {
  readonly currentReplicas: number;
  readonly resource: string;
  /** The pods the target's selector selects (any phase). */
  readonly pods: readonly corev1.Pod[];
  /** Usage by pod name; pods without a sample are absent. */
  readonly metrics: ReadonlyMap<string, PodMetric>;
  readonly settings: CalculatorSettings;
}

/**
 * Upstream's `GetResourceReplicas`: the replica count that brings the average utilization (percent
 * of the pods' requests) to `targetUtilization`. Within the tolerance nothing changes; pods
 * without metrics count as using 100% of their request when scaling down and 0% when scaling up;
 * not-yet-ready pods count as 0% on a scale-up; a change that would flip direction is dropped.
 */
export function resourceReplicas(input: CalculationInput, targetUtilization: number): ReplicaCalculation {
  if (input.pods.length === 0)
    return { error: 'no pods returned by selector while calculating replica count' };
  const groups = groupPods(input);
  const requests = podRequests(input.pods, input.resource);
  if (typeof requests === 'string') return { error: requests };
  if (groups.metrics.size === 0)
    return { error: 'did not receive metrics for targeted pods (pods might be unready)' };
  const first = utilizationRatio(groups.metrics, requests, targetUtilization);
  if (first === undefined) return { error: 'no metrics returned matched known pods' };
  const base = {
    utilization: first.utilization,
    rawAverage: first.rawAverage,
    timestampMs: groups.timestampMs,
  };
  const { tolerance } = input.settings;
  const scaleUpWithUnready = groups.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= tolerance) return { ...base, replicas: input.currentReplicas };
    return { ...base, replicas: Math.ceil(first.ratio * groups.readyCount) };
  }
  const fallback = Math.max(100, targetUtilization);
  for (const name of groups.missing) {
    if (first.ratio < 1)
      groups.metrics.set(name, filled(Math.floor(((requests.get(name) ?? 0) * fallback) / 100)));
    else if (first.ratio > 1) groups.metrics.set(name, filled(0));
  }
  if (scaleUpWithUnready) for (const name of groups.unready) groups.metrics.set(name, filled(0));
  const second = utilizationRatio(groups.metrics, requests, targetUtilization);
  if (second === undefined) return { error: 'no metrics returned matched known pods' };
  return {
    ...base,
    replicas: settle(input.currentReplicas, first.ratio, second.ratio, groups.metrics.size, tolerance),
  };
}

/**
 * Upstream's `GetRawResourceReplicas` (an `AverageValue` target, in milli-units per pod), with the
 * same handling of missing and unready pods as {@link resourceReplicas}.
 */
export function rawResourceReplicas(input: CalculationInput, targetAverage: number): ReplicaCalculation {
  if (input.pods.length === 0)
    return { error: 'no pods returned by selector while calculating replica count' };
  const groups = groupPods(input);
  if (groups.metrics.size === 0)
    return { error: 'did not receive metrics for targeted pods (pods might be unready)' };
  const first = usageRatio(groups.metrics, targetAverage);
  const base = { rawAverage: first.average, timestampMs: groups.timestampMs };
  const { tolerance } = input.settings;
  const scaleUpWithUnready = groups.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= tolerance) return { ...base, replicas: input.currentReplicas };
    return { ...base, replicas: Math.ceil(first.ratio * groups.readyCount) };
  }
  for (const name of groups.missing) groups.metrics.set(name, filled(first.ratio < 1 ? targetAverage : 0));
  if (scaleUpWithUnready) for (const name of groups.unready) groups.metrics.set(name, filled(0));
  const second = usageRatio(groups.metrics, targetAverage);
  return {
    ...base,
    replicas: settle(input.currentReplicas, first.ratio, second.ratio, groups.metrics.size, tolerance),
  };
}

/** The count after filling in missing and unready pods; the current one when the direction would flip. */
function settle(current: number, before: number, after: number, counted: number, tolerance: number): number {
  if (Math.abs(1 - after) <= tolerance || (before < 1 && after > 1) || (before > 1 && after < 1))
    return current;
  const proposed = Math.ceil(after * counted);
  if ((after < 1 && proposed > current) || (after > 1 && proposed < current)) return current;
  return proposed;
}

function filled(value: number): PodMetric {
  return { value, timestampMs: 0, windowMs: 0 };
}

interface PodGroups {
  readyCount: number;
  /** Pending pods, and (for CPU) pods not ready or still warming up: left out, 0% on a scale-up. */
  unready: Set<string>;
  /** Running pods without a sample. */
  missing: Set<string>;
  /** The samples that count: every pod's but the unready and ignored ones. */
  metrics: Map<string, PodMetric>;
  timestampMs: number;
}

/** Upstream's `groupPods`: sorts the selected pods into ready, unready, missing and ignored. */
function groupPods(input: CalculationInput): PodGroups {
  const { settings } = input;
  const groups: PodGroups = {
    readyCount: 0,
    unready: new Set(),
    missing: new Set(),
    metrics: new Map(),
    timestampMs: 0,
  };
  for (const pod of input.pods) {
    const name = pod.metadata?.name ?? '';
    // Deleted and failed pods are ignored altogether.
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') continue;
    if (pod.status?.phase === 'Pending' || pod.status?.phase === undefined) {
      groups.unready.add(name);
      continue;
    }
    const metric = input.metrics.get(name);
    if (metric === undefined) {
      groups.missing.add(name);
      continue;
    }
    if (input.resource === 'cpu' && cpuUnready(pod, metric, settings)) {
      groups.unready.add(name);
      continue;
    }
    groups.readyCount++;
    groups.metrics.set(name, metric);
    groups.timestampMs ||= metric.timestampMs;
  }
  return groups;
}

/** Whether a pod's CPU sample is untrustworthy: not ready, or taken while it was starting up. */
function cpuUnready(pod: corev1.Pod, metric: PodMetric, settings: CalculatorSettings): boolean {
  const ready = getCondition(pod.status?.conditions, 'Ready');
  const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
  if (ready === undefined || Number.isNaN(start)) return true;
  const transition = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
  if (start + settings.cpuInitializationPeriodMs > settings.nowMs) {
    return ready.status === 'False' || metric.timestampMs < transition + metric.windowMs;
  }
  return ready.status === 'False' && start + settings.delayOfInitialReadinessStatusMs > transition;
}

/** Each pod's total request of `resource` in milli-units; a message when a container has none. */
function podRequests(pods: readonly corev1.Pod[], resource: string): Map<string, number> | string {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.spec?.containers ?? []) {
      const request = c.resources?.requests?.[resource];
      const q = request === undefined ? undefined : Quantity.tryParse(request);
      if (q === undefined)
        return `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name ?? ''}`;
      sum += q.milliValue();
    }
    out.set(pod.metadata?.name ?? '', sum);
  }
  return out;
}

/** Upstream's `GetResourceUtilizationRatio`, with utilization truncated to whole percent. */
function utilizationRatio(
  metrics: ReadonlyMap<string, PodMetric>,
  requests: ReadonlyMap<string, number>,
  target: number,
): { ratio: number; utilization: number; rawAverage: number } | undefined {
  let used = 0;
  let requested = 0;
  let entries = 0;
  for (const [name, m] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    used += m.value;
    requested += request;
    entries++;
  }
  if (requested === 0) return undefined;
  const utilization = Math.trunc((used * 100) / requested);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(used / entries) };
}

/** Upstream's `GetMetricUsageRatio`: the average per pod against the target average. */
function usageRatio(
  metrics: ReadonlyMap<string, PodMetric>,
  target: number,
): { ratio: number; average: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const average = Math.trunc(total / metrics.size);
  return { ratio: average / target, average };
}
