import type { corev1, Snapshot } from '@tugboat/core';

import {
  affinityOf,
  pairKey,
  termMatches,
  type CompiledAffinity,
  type CompiledTerm,
} from '../../internal/affinityTerms.js';
import { podIndexOf } from '../../cache/PodIndex.js';
import { forEachPlaced } from './countFromIndex.js';

/** Upstream's hardPodAffinityWeight: how much a placed pod's required affinity to the incoming pod counts. */
const hardPodAffinityWeight = 1;

/**
 * InterPodAffinity's PreScore: a score per topology pair, summed from the incoming pod's
 * preferred (anti-)affinity over placed pods, and placed pods' preferred (anti-)affinity and
 * required affinity over the incoming pod. Undefined when there is nothing to weigh.
 */
export function preferredScores(
  pod: corev1.Pod,
  terms: CompiledAffinity,
  snapshot: Snapshot,
): Map<string, number> | undefined {
  const incoming = terms.preferredAffinity.length > 0 || terms.preferredAntiAffinity.length > 0;
  if (!incoming && snapshot.nodesWithAffinityPods.length === 0) return undefined;
  if (!incoming && podIndexOf(snapshot)?.scoringAffinity.size === 0) return undefined;
  const scores = new Map<string, number>();
  const add = (t: CompiledTerm, labels: Readonly<Record<string, string>>, w: number): void => {
    const v = labels[t.topologyKey];
    if (v === undefined) return;
    const k = pairKey(t.topologyKey, v);
    scores.set(k, (scores.get(k) ?? 0) + w);
  };
  // A placed pod's required affinity and preferred terms that select the incoming pod.
  const addTheirs = (existing: corev1.Pod, labels: Readonly<Record<string, string>>): void => {
    const theirs = affinityOf(existing);
    for (const t of theirs.affinity) if (termMatches(t, pod)) add(t, labels, hardPodAffinityWeight);
    for (const t of theirs.preferredAffinity) if (termMatches(t, pod)) add(t, labels, t.weight);
    for (const t of theirs.preferredAntiAffinity) if (termMatches(t, pod)) add(t, labels, -t.weight);
  };
  const index = podIndexOf(snapshot);
  if (index !== undefined) {
    for (const t of terms.preferredAffinity)
      forEachPlaced(index, t, snapshot, (e, labels) => {
        if (termMatches(t, e.pod)) add(t, labels, t.weight);
      });
    for (const t of terms.preferredAntiAffinity)
      forEachPlaced(index, t, snapshot, (e, labels) => {
        if (termMatches(t, e.pod)) add(t, labels, -t.weight);
      });
    for (const existing of index.scoringAffinity) {
      const labels = snapshot.get(existing.pod.spec?.nodeName ?? '')?.node.metadata?.labels;
      if (labels !== undefined) addTheirs(existing.pod, labels);
    }
    return scores.size === 0 ? undefined : scores;
  }
  for (const node of incoming ? snapshot.nodes : snapshot.nodesWithAffinityPods) {
    const labels = node.node.metadata?.labels;
    if (labels === undefined) continue;
    for (const existing of incoming ? node.pods : node.podsWithAffinity) {
      for (const t of terms.preferredAffinity) if (termMatches(t, existing.pod)) add(t, labels, t.weight);
      for (const t of terms.preferredAntiAffinity)
        if (termMatches(t, existing.pod)) add(t, labels, -t.weight);
      if (existing.hasAffinity) addTheirs(existing.pod, labels);
    }
  }
  return scores.size === 0 ? undefined : scores;
}
