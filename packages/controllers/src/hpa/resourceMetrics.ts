import { ApiError, Quantity, type ApiClient, type KubeObject, type ResourceRef } from '@tugboat/core';

import type { PodMetric } from './replicaCalculator.js';

/** The part of a `metrics.k8s.io/v1beta1 PodMetrics` the HPA reads. */
interface PodMetricsObject extends KubeObject {
  timestamp?: string;
  window?: string;
  containers?: { name?: string; usage?: Record<string, string> }[];
}

/** The `metrics.k8s.io/v1beta1` pods resource, as any apiserver (or metrics-server) serves it. */
export const PodMetricsResource: ResourceRef<PodMetricsObject> = {
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  kind: 'PodMetrics',
  plural: 'pods',
  namespaced: true,
};

/**
 * Upstream's `GetResourceMetric`: lists the PodMetrics the selector selects and sums each pod's
 * container usage of `resource` in milli-units. A pod missing the resource in any container is
 * left out. Failures of the metrics API reject (the caller reports `FailedGetResourceMetric`).
 */
export async function resourceMetrics(
  api: ApiClient,
  namespace: string,
  labelSelector: string,
  resource: string,
): Promise<Map<string, PodMetric>> {
  const list = await api.list(PodMetricsResource, { namespace, labelSelector });
  const out = new Map<string, PodMetric>();
  for (const m of list.items) {
    const containers = m.containers ?? [];
    let sum = 0;
    let complete = containers.length > 0;
    for (const c of containers) {
      const q = c.usage?.[resource] === undefined ? undefined : Quantity.tryParse(c.usage[resource]);
      if (q === undefined) {
        complete = false;
        break;
      }
      sum += q.milliValue();
    }
    const timestampMs = m.timestamp ? Date.parse(m.timestamp) : NaN;
    if (!complete || Number.isNaN(timestampMs)) continue;
    out.set(m.metadata?.name ?? '', { value: sum, timestampMs, windowMs: parseGoDuration(m.window ?? '') });
  }
  if (out.size === 0 && list.items.length === 0) {
    throw new ApiError('Unavailable', 'no metrics returned from resource metrics API');
  }
  return out;
}

const unitMs: Readonly<Record<string, number>> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 1e-3,
  µs: 1e-3,
  ns: 1e-6,
};

/** Parses a Go duration (`15s`, `1m30s`, `1.5s`) into milliseconds; 0 when it is not one. */
export function parseGoDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(re)) {
    total += Number(match[1]) * (unitMs[match[2] ?? ''] ?? 0);
    consumed += match[0].length;
  }
  return consumed === text.length ? total : 0;
}
