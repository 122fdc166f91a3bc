import type {
  corev1,
  CycleState,
  FilterPlugin,
  NodeInfo,
  PluginStatus,
  PodInfo,
  PreFilterExtensions,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
  Snapshot,
} from '@tugboat/core';

import { skip, statusOf, success } from '../../framework/status.js';
import { affinityOf, matchesAll, pairKey, type CompiledAffinity } from '../../internal/affinityTerms.js';
import { podIndexOf } from '../../cache/PodIndex.js';
import { AffinityCounts } from './AffinityCounts.js';
import { countFromIndex } from './countFromIndex.js';
import { preferredScores } from './preferredScores.js';

const filterKey = 'InterPodAffinity/filter';
const scoreKey = 'InterPodAffinity/score';
const existingAntiRejected = statusOf(
  'Unschedulable',
  "node(s) didn't satisfy existing pods anti-affinity rules",
);
const antiRejected = statusOf('Unschedulable', "node(s) didn't match pod anti-affinity rules");
const affinityRejected = statusOf('UnschedulableAndUnresolvable', "node(s) didn't match pod affinity rules");

/**
 * The InterPodAffinity plugin: Filter enforces the pod's required affinity and anti-affinity and
 * the required anti-affinity of pods already placed; Score weighs preferred terms both ways.
 * Counts are per topology pair (`zone=a`), computed once per cycle in PreFilter.
 */
export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'InterPodAffinity';
  readonly name = InterPodAffinity.pluginName;

  /** `snapshotOf` gives the cycle's snapshot, which PreScore needs beyond the feasible nodes. */
  constructor(private readonly snapshotOf: () => Snapshot) {}

  preFilter(state: CycleState, pod: corev1.Pod, snapshot: Snapshot): PluginStatus {
    const terms = affinityOf(pod);
    const counts = new AffinityCounts(terms);
    const index = podIndexOf(snapshot);
    if (index !== undefined) countFromIndex(index, counts, pod, snapshot);
    else {
      for (const node of snapshot.nodesWithAffinityPods) {
        for (const existing of node.podsWithAffinity) counts.addExistingAnti(pod, existing, node, 1);
      }
      if (terms.affinity.length > 0 || terms.antiAffinity.length > 0) {
        for (const node of snapshot.nodes) {
          for (const existing of node.pods) counts.addIncoming(existing, node, 1);
        }
      }
    }
    if (counts.existingAnti.size === 0 && terms.affinity.length === 0 && terms.antiAffinity.length === 0)
      return skip;
    state.write(filterKey, counts);
    return success;
  }

  readonly preFilterExtensions: PreFilterExtensions = {
    addPod: (state, pod, podToAdd, node) => {
      this.adjust(state, pod, podToAdd, node, 1);
    },
    removePod: (state, pod, podToRemove, node) => {
      this.adjust(state, pod, podToRemove, node, -1);
    },
  };

  private adjust(state: CycleState, pod: corev1.Pod, other: PodInfo, node: NodeInfo, sign: 1 | -1): void {
    const counts = state.read<AffinityCounts>(filterKey);
    if (counts === undefined) return;
    counts.addExistingAnti(pod, other, node, sign);
    counts.addIncoming(other, node, sign);
  }

  filter(state: CycleState, pod: corev1.Pod, node: NodeInfo): PluginStatus {
    const counts = state.read<AffinityCounts>(filterKey);
    if (counts === undefined) return success;
    const labels = node.node.metadata?.labels ?? {};
    if (counts.existingAnti.size > 0) {
      for (const k of counts.existingAntiKeys) {
        const v = labels[k];
        if (v !== undefined && (counts.existingAnti.get(pairKey(k, v)) ?? 0) > 0) return existingAntiRejected;
      }
    }
    const terms: CompiledAffinity = counts.terms;
    for (const t of terms.antiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && (counts.anti.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return antiRejected;
    }
    if (terms.affinity.length > 0) {
      let podsExist = true;
      for (const t of terms.affinity) {
        const v = labels[t.topologyKey];
        if (v === undefined) return affinityRejected;
        if ((counts.affinity.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
      }
      // The first pod of a group with affinity to itself may go anywhere with the topology labels.
      if (!podsExist && !(counts.affinity.size === 0 && matchesAll(terms.affinity, pod)))
        return affinityRejected;
    }
    return success;
  }

  preScore(state: CycleState, pod: corev1.Pod): PluginStatus {
    const scores = preferredScores(pod, affinityOf(pod), this.snapshotOf());
    if (scores === undefined) return skip;
    state.write(scoreKey, scores);
    return success;
  }

  score(state: CycleState, _pod: corev1.Pod, node: NodeInfo): number {
    const scores = state.read<Map<string, number>>(scoreKey);
    if (scores === undefined) return 0;
    const labels = node.node.metadata?.labels ?? {};
    let sum = 0;
    for (const k of Object.keys(labels)) sum += scores.get(pairKey(k, labels[k] ?? '')) ?? 0;
    return sum;
  }

  normalizeScores(_state: CycleState, _pod: corev1.Pod, scores: Float64Array): void {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++)
      scores[i] = diff === 0 ? 0 : Math.floor((100 * ((scores[i] as number) - min)) / diff);
  }
}
