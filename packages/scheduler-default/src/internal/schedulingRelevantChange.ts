import type { corev1 } from '@tugboat/core';

/** Whether a node update can make a pod schedulable (upstream ignores heartbeats). */
export function schedulingRelevantChange(old: corev1.Node, cur: corev1.Node): boolean {
  return (
    JSON.stringify(old.metadata?.labels) !== JSON.stringify(cur.metadata?.labels) ||
    JSON.stringify(old.spec?.taints) !== JSON.stringify(cur.spec?.taints) ||
    old.spec?.unschedulable !== cur.spec?.unschedulable ||
    JSON.stringify(old.status?.allocatable) !== JSON.stringify(cur.status?.allocatable)
  );
}
