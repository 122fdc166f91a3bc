import type { corev1 } from '@tugboat/core';

import { isPodReady, readySince } from '../internal/podUtil.js';

const phaseRank = (pod: corev1.Pod): number =>
  pod.status?.phase === 'Pending' ? 0 : pod.status?.phase === 'Running' ? 2 : 1;

const restarts = (pod: corev1.Pod): number =>
  (pod.status?.containerStatuses ?? []).reduce((n, c) => Math.max(n, c.restartCount), 0);

const created = (pod: corev1.Pod): number => {
  const t = pod.metadata?.creationTimestamp;
  return t ? Date.parse(t) : Number.POSITIVE_INFINITY;
};

/**
 * The pods in the order a controller deletes them when scaling down, as upstream's
 * `ActivePodsWithRanks`: unassigned before assigned; Pending, Unknown, then Running; not ready
 * before ready; pods on nodes crowded with siblings first; ready for less time first; more
 * restarts first; newer first.
 */
export function rankPodsForDeletion(pods: readonly corev1.Pod[]): corev1.Pod[] {
  const perNode = new Map<string, number>();
  for (const p of pods) {
    const node = p.spec?.nodeName ?? '';
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const key = (p: corev1.Pod): readonly number[] => {
    const node = p.spec?.nodeName ?? '';
    const since = readySince(p);
    return [
      node ? 1 : 0,
      phaseRank(p),
      isPodReady(p) ? 1 : 0,
      -(perNode.get(node) ?? 0),
      since === undefined ? 0 : -since,
      -restarts(p),
      -created(p),
    ];
  };
  const keyed = pods.map((p) => ({ p, k: key(p) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.k.length; i++) {
      const d = (a.k[i] ?? 0) - (b.k[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
  return keyed.map((x) => x.p);
}
