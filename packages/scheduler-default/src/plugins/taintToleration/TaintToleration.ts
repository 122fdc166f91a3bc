import type {
  corev1,
  CycleState,
  FilterPlugin,
  NodeInfo,
  PluginStatus,
  PreScorePlugin,
  ScorePlugin,
} from '@tugboat/core';

import { skip, statusOf, success } from '../../framework/status.js';
import { findUntoleratedTaint, tolerates } from '../../internal/tolerations.js';
import { normalizeScores } from '../normalize.js';

const hardEffects = ['NoSchedule', 'NoExecute'];

/**
 * The TaintToleration plugin: Filter rejects nodes with a NoSchedule/NoExecute taint the pod does
 * not tolerate; Score prefers nodes with fewer untolerated PreferNoSchedule taints.
 */
export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'TaintToleration';
  readonly name = TaintToleration.pluginName;

  filter(_state: CycleState, pod: corev1.Pod, node: NodeInfo): PluginStatus {
    const taints = node.node.spec?.taints;
    if (taints === undefined || taints.length === 0) return success;
    const taint = findUntoleratedTaint(taints, pod.spec?.tolerations, hardEffects);
    if (taint === undefined) return success;
    return statusOf(
      'UnschedulableAndUnresolvable',
      `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`,
    );
  }

  /** Skips scoring when no feasible node has a PreferNoSchedule taint: every node would tie. */
  preScore(_state: CycleState, _pod: corev1.Pod, nodes: readonly NodeInfo[]): PluginStatus {
    for (const n of nodes) {
      if (n.node.spec?.taints?.some((t) => t.effect === 'PreferNoSchedule')) return success;
    }
    return skip;
  }

  score(_state: CycleState, pod: corev1.Pod, node: NodeInfo): number {
    const taints = node.node.spec?.taints;
    if (taints === undefined || taints.length === 0) return 0;
    const tolerations = (pod.spec?.tolerations ?? []).filter(
      (t) => !t.effect || t.effect === 'PreferNoSchedule',
    );
    let count = 0;
    for (const taint of taints) {
      if (taint.effect === 'PreferNoSchedule' && !tolerations.some((t) => tolerates(t, taint))) count++;
    }
    return count;
  }

  normalizeScores(_state: CycleState, _pod: corev1.Pod, scores: Float64Array): void {
    normalizeScores(scores, true);
  }
}
