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
import { maxNodeScore } from '../normalize.js';
import { constraintsOf, nodeCounts } from './constraints.js';
import { domainCounts } from './domainCounts.js';
import { SpreadCounts } from './SpreadCounts.js';

const filterKey = 'PodTopologySpread/filter';
const scoreKey = 'PodTopologySpread/score';
const skewRejected = statusOf('Unschedulable', "node(s) didn't match pod topology spread constraints");
const labelRejected = statusOf(
  'UnschedulableAndUnresolvable',
  "node(s) didn't match pod topology spread constraints (missing required label)",
);

/**
 * The PodTopologySpread plugin: Filter keeps each DoNotSchedule constraint's skew (pods in this
 * domain + the pod − the fewest in any domain) within maxSkew; Score prefers domains with fewer
 * matching pods for ScheduleAnyway constraints.
 */
export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'PodTopologySpread';
  readonly name = PodTopologySpread.pluginName;

  constructor(private readonly snapshotOf: () => Snapshot) {}

  preFilter(state: CycleState, pod: corev1.Pod, snapshot: Snapshot): PluginStatus {
    const hard = constraintsOf(pod).hard;
    if (hard.length === 0) return skip;
    const counts = domainCounts(pod, hard, snapshot);
    const s = new SpreadCounts(
      hard,
      counts,
      hard.map(() => 0),
    );
    hard.forEach((_, i) => {
      s.recompute(i);
    });
    s.selfMatch = hard.map((c) => (c.selector.matches(pod.metadata?.labels) ? 1 : 0));
    state.write(filterKey, s);
    return success;
  }

  readonly preFilterExtensions: PreFilterExtensions = {
    addPod: (state, pod, other, node) => {
      this.adjust(state, pod, other, node, 1);
    },
    removePod: (state, pod, other, node) => {
      this.adjust(state, pod, other, node, -1);
    },
  };

  private adjust(state: CycleState, pod: corev1.Pod, other: PodInfo, node: NodeInfo, sign: number): void {
    const s = state.read<SpreadCounts>(filterKey);
    if (s === undefined || !nodeCounts(pod, s.constraints, node)) return;
    const m = other.pod.metadata;
    if (m?.namespace !== pod.metadata?.namespace || m?.deletionTimestamp !== undefined) return;
    const labels = node.node.metadata?.labels ?? {};
    s.constraints.forEach((c, i) => {
      if (!c.selector.matches(m?.labels)) return;
      const counts = s.counts[i] as Map<string, number>;
      const v = labels[c.topologyKey] ?? '';
      counts.set(v, (counts.get(v) ?? 0) + sign);
      s.recompute(i);
    });
  }

  filter(state: CycleState, pod: corev1.Pod, node: NodeInfo): PluginStatus {
    const s = state.read<SpreadCounts>(filterKey);
    if (s === undefined) return success;
    const labels = node.node.metadata?.labels ?? {};
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i] as (typeof s.constraints)[number];
      const v = labels[c.topologyKey];
      if (v === undefined) return labelRejected;
      const self = s.selfMatch[i] ?? 0;
      const matchNum = (s.counts[i] as Map<string, number>).get(v) ?? 0;
      if (matchNum + self - (s.mins[i] as number) > c.maxSkew) return skewRejected;
    }
    return success;
  }

  preScore(state: CycleState, pod: corev1.Pod): PluginStatus {
    const soft = constraintsOf(pod).soft;
    if (soft.length === 0) return skip;
    const counts = domainCounts(pod, soft, this.snapshotOf());
    state.write(scoreKey, { soft, counts });
    return success;
  }

  score(state: CycleState, _pod: corev1.Pod, node: NodeInfo): number {
    const s = state.read<{ soft: ReturnType<typeof constraintsOf>['soft']; counts: Map<string, number>[] }>(
      scoreKey,
    );
    if (s === undefined) return 0;
    const labels = node.node.metadata?.labels ?? {};
    let sum = 0;
    s.soft.forEach((c, i) => {
      const v = labels[c.topologyKey];
      // Upstream weighs each constraint by log(domains + 2) and offsets by maxSkew − 1.
      if (v !== undefined) {
        const m = s.counts[i] as Map<string, number>;
        sum += ((m.get(v) ?? 0) + c.maxSkew - 1) * Math.log(m.size + 2);
      }
    });
    return Math.round(sum);
  }

  normalizeScores(_state: CycleState, _pod: corev1.Pod, scores: Float64Array): void {
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < scores.length; i++) {
      scores[i] =
        max === 0 ? maxNodeScore : Math.floor((maxNodeScore * (max + min - (scores[i] as number))) / max);
    }
  }
}
