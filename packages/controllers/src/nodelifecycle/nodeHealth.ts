import { getCondition, type coordinationv1, type corev1 } from '@tugboat/core';

import { notReadyTaint, unreachableTaint } from './NodeLifecycleOptions.js';

/** The condition types a lost node's kubelet can no longer vouch for, set to Unknown. */
export const kubeletConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/** The last sign of life of a node: its Lease's renewTime or its Ready heartbeat, whichever is newer. */
export function lastHeartbeat(
  node: corev1.Node,
  lease: coordinationv1.Lease | undefined,
): number | undefined {
  const times = [lease?.spec?.renewTime, getCondition(node.status?.conditions, 'Ready')?.lastHeartbeatTime]
    .map((t) => (t ? Date.parse(t) : NaN))
    .filter((t) => !Number.isNaN(t));
  return times.length === 0 ? undefined : Math.max(...times);
}

/** The conditions of a node gone silent: every kubelet condition Unknown, as upstream words it. */
export function unknownConditions(node: corev1.Node, nowIso: string): corev1.NodeCondition[] {
  const existing = node.status?.conditions ?? [];
  const result: corev1.NodeCondition[] = existing.filter(
    (c) => !(kubeletConditions as readonly string[]).includes(c.type),
  );
  for (const type of kubeletConditions) {
    const old = getCondition(existing, type);
    if (old?.status === 'Unknown') {
      result.push(old);
      continue;
    }
    result.push({
      type,
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message:
        old === undefined ? 'Kubelet never posted node status.' : 'Kubelet stopped posting node status.',
      lastHeartbeatTime: old?.lastHeartbeatTime ?? nowIso,
      lastTransitionTime: nowIso,
    });
  }
  return result;
}

/**
 * The taints a node should carry for its Ready condition: `unreachable` (Unknown) or `not-ready`
 * (False), each as NoSchedule and NoExecute, none when Ready; other taints are kept, and a taint
 * already present keeps its `timeAdded` (eviction deadlines count from it).
 */
export function desiredTaints(node: corev1.Node, nowIso: string): corev1.Taint[] {
  const ready = getCondition(node.status?.conditions, 'Ready')?.status;
  const key = ready === 'Unknown' ? unreachableTaint : ready === 'False' ? notReadyTaint : undefined;
  const current = node.spec?.taints ?? [];
  const kept = current.filter((t) => t.key !== unreachableTaint && t.key !== notReadyTaint);
  if (key === undefined) return kept;
  const wanted: corev1.Taint[] = (['NoSchedule', 'NoExecute'] as const).map(
    (effect) =>
      current.find((t) => t.key === key && t.effect === effect) ?? { key, effect, timeAdded: nowIso },
  );
  return [...kept, ...wanted];
}

/** Whether two taint lists are the same set (order aside). */
export function sameTaints(a: readonly corev1.Taint[], b: readonly corev1.Taint[]): boolean {
  const key = (t: corev1.Taint): string => `${t.key}|${t.value ?? ''}|${t.effect}|${t.timeAdded ?? ''}`;
  const sa = new Set(a.map(key));
  return a.length === b.length && b.every((t) => sa.has(key(t)));
}
