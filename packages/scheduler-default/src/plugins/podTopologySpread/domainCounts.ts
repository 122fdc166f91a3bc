import type { corev1, NodeInfo, Snapshot } from '@tugboat/core';

import { podIndexOf } from '../../cache/PodIndex.js';
import { countMatching, nodeCounts, type Constraint } from './constraints.js';

/**
 * Matching pods per topology domain for each constraint, over the nodes that take part in
 * counting (every such node's domain is present, with 0 when it holds no matching pod). With the
 * cache's pod index only the pods a selector can match are read, instead of every pod.
 */
export function domainCounts(
  pod: corev1.Pod,
  constraints: readonly Constraint[],
  snapshot: Snapshot,
): Map<string, number>[] {
  const counts = constraints.map(() => new Map<string, number>());
  const index = podIndexOf(snapshot);
  const ns = pod.metadata?.namespace;
  const candidates = constraints.map((c) => index?.candidates(new Set([ns ?? 'default']), c.selector));
  for (const node of snapshot.nodes) {
    if (!nodeCounts(pod, constraints, node)) continue;
    const labels = node.node.metadata?.labels ?? {};
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i] as Constraint;
      const m = counts[i] as Map<string, number>;
      const v = labels[c.topologyKey] ?? '';
      m.set(v, (m.get(v) ?? 0) + (candidates[i] === undefined ? countMatching(pod, c, node) : 0));
    }
  }
  const eligible = new Map<NodeInfo, boolean>();
  for (let i = 0; i < constraints.length; i++) {
    const list = candidates[i];
    if (list === undefined) continue;
    const c = constraints[i] as Constraint;
    const m = counts[i] as Map<string, number>;
    for (const p of list) {
      const meta = p.pod.metadata;
      if (
        meta?.namespace !== ns ||
        meta?.deletionTimestamp !== undefined ||
        !c.selector.matches(meta?.labels)
      )
        continue;
      const node = snapshot.get(p.pod.spec?.nodeName ?? '');
      if (node === undefined) continue;
      let ok = eligible.get(node);
      if (ok === undefined) {
        ok = nodeCounts(pod, constraints, node);
        eligible.set(node, ok);
      }
      if (!ok) continue;
      const v = node.node.metadata?.labels?.[c.topologyKey] ?? '';
      m.set(v, (m.get(v) ?? 0) + 1);
    }
  }
  return counts;
}
