import { createHash } from 'node:crypto';

import type { corev1 } from '@tugboat/core';

/** The runtime label and annotation keys the kubelet puts on sandboxes and containers, as upstream. */
export const runtimeLabels = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
  restartCount: 'io.kubernetes.container.restartCount',
  hash: 'io.kubernetes.container.hash',
  terminationMessagePath: 'io.kubernetes.container.terminationMessagePath',
  terminationGracePeriod: 'io.kubernetes.pod.terminationGracePeriod',
  /**
   * Not upstream's: the node the pod is bound to. Several Tugboat kubelets may share one runtime
   * (simulated nodes, parallel test clusters), so each touches only what carries its own name.
   */
  nodeName: 'io.tugboat.node.name',
} as const;

/** The labels of a pod's sandbox (and, with the container name, of its containers). */
export function podLabels(pod: corev1.Pod): Record<string, string> {
  const m = pod.metadata ?? {};
  return {
    [runtimeLabels.podName]: m.name ?? '',
    [runtimeLabels.podNamespace]: m.namespace ?? 'default',
    [runtimeLabels.podUid]: m.uid ?? '',
    [runtimeLabels.nodeName]: pod.spec?.nodeName ?? '',
  };
}

/** Serialises with sorted keys, so the same spec always hashes the same whatever its key order. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const unhashed = new Set(['livenessProbe', 'readinessProbe', 'startupProbe', 'resources']);

/**
 * The hash of a container's spec stored on its runtime container: a different hash means the spec
 * changed (e.g. its image was updated in place) and the container must be recreated. Probes and
 * resources are left out: changing them does not restart a container upstream either.
 */
export function containerHash(container: corev1.Container): string {
  const rest = Object.fromEntries(Object.entries(container).filter(([k]) => !unhashed.has(k)));
  return createHash('sha256').update(stableStringify(rest)).digest('hex').slice(0, 16);
}

/** The restart count stored on a runtime container (0 when missing or garbled). */
export function restartCountOf(annotations: Readonly<Record<string, string>>): number {
  const n = Number(annotations[runtimeLabels.restartCount] ?? '0');
  return Number.isInteger(n) && n >= 0 ? n : 0;
}
