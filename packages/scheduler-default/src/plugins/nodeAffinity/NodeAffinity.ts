import type {
  corev1,
  CycleState,
  FilterPlugin,
  NodeInfo,
  PluginStatus,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
} from '@tugboat/core';

import { skip, statusOf, success } from '../../framework/status.js';
import { matchesRequiredNodeAffinity, matchTerm } from '../../internal/nodeSelector.js';
import { normalizeScores } from '../normalize.js';

const rejected = statusOf(
  'UnschedulableAndUnresolvable',
  "node(s) didn't match Pod's node affinity/selector",
);

/**
 * The NodeAffinity plugin: Filter enforces `nodeSelector` and required node affinity; Score sums
 * the weights of the preferred terms a node matches.
 */
export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'NodeAffinity';
  readonly name = NodeAffinity.pluginName;

  preFilter(_state: CycleState, pod: corev1.Pod): PluginStatus {
    const spec = pod.spec;
    const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    return spec?.nodeSelector === undefined && required === undefined ? skip : success;
  }

  filter(_state: CycleState, pod: corev1.Pod, node: NodeInfo): PluginStatus {
    return matchesRequiredNodeAffinity(pod, node.node) ? success : rejected;
  }

  preScore(_state: CycleState, pod: corev1.Pod): PluginStatus {
    const preferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    return preferred === undefined || preferred.length === 0 ? skip : success;
  }

  score(_state: CycleState, pod: corev1.Pod, node: NodeInfo): number {
    const preferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    if (preferred === undefined) return 0;
    let sum = 0;
    for (const p of preferred) if (p.weight !== 0 && matchTerm(p.preference, node.node)) sum += p.weight;
    return sum;
  }

  normalizeScores(_state: CycleState, _pod: corev1.Pod, scores: Float64Array): void {
    normalizeScores(scores, false);
  }
}
