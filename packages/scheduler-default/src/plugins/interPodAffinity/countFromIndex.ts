import type { corev1, NodeInfo, PodInfo, Snapshot } from '@tugboat/core';

import type { PodIndex } from '../../cache/PodIndex.js';
import { matchesAll, pairKey, termMatches, type CompiledTerm } from '../../internal/affinityTerms.js';
import type { AffinityCounts } from './AffinityCounts.js';

/**
 * Fills InterPodAffinity's PreFilter counts from the cache's pod index: placed pods' required
 * anti-affinity from the per-term groups (one match test per distinct term, not per pod), and the
 * incoming pod's terms from the pods their selectors can match.
 */
export function countFromIndex(
  index: PodIndex,
  counts: AffinityCounts,
  pod: corev1.Pod,
  snapshot: Snapshot,
): void {
  for (const g of index.antiGroups.values()) {
    if (!termMatches(g.term, pod)) continue;
    counts.existingAntiKeys.add(g.term.topologyKey);
    for (const [k, n] of g.pairs) counts.existingAnti.set(k, (counts.existingAnti.get(k) ?? 0) + n);
  }
  const terms = counts.terms;
  for (const t of terms.antiAffinity) {
    forEachPlaced(index, t, snapshot, (existing, labels) => {
      if (!termMatches(t, existing.pod)) return;
      const v = labels[t.topologyKey];
      if (v !== undefined) bump(counts.anti, pairKey(t.topologyKey, v));
    });
  }
  const first = terms.affinity[0];
  if (first === undefined) return;
  forEachPlaced(index, first, snapshot, (existing, labels) => {
    if (!matchesAll(terms.affinity, existing.pod)) return;
    for (const t of terms.affinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined) bump(counts.affinity, pairKey(t.topologyKey, v));
    }
  });
}

/** Calls `fn` for each pod `term` may select that sits on a node of the snapshot. */
export function forEachPlaced(
  index: PodIndex,
  term: CompiledTerm,
  snapshot: Snapshot,
  fn: (existing: PodInfo, nodeLabels: Readonly<Record<string, string>>, node: NodeInfo) => void,
): void {
  for (const existing of index.candidates(term.namespaces, term.selector) ?? index.all) {
    const node = snapshot.get(existing.pod.spec?.nodeName ?? '');
    const labels = node?.node.metadata?.labels;
    if (node !== undefined && labels !== undefined) fn(existing, labels, node);
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
