import type { corev1, CycleState, NodeInfo, ScorePlugin } from '@tugboat/core';

import { podInfoOf } from '../../internal/podInfo.js';
import { maxNodeScore } from '../normalize.js';

/**
 * The NodeResourcesBalancedAllocation plugin: prefers nodes whose cpu and memory would be used in
 * equal fractions with the pod placed — score = (1 − standard deviation of the fractions) × 100.
 */
export class NodeResourcesBalancedAllocation implements ScorePlugin {
  static readonly pluginName = 'NodeResourcesBalancedAllocation';
  readonly name = NodeResourcesBalancedAllocation.pluginName;

  private lastPod: corev1.Pod | undefined;
  private podCpu = 0;
  private podMemory = 0;

  score(_state: CycleState, pod: corev1.Pod, node: NodeInfo): number {
    if (pod !== this.lastPod) {
      const req = podInfoOf(pod).requests;
      this.podCpu = req['cpu'] ?? 0;
      this.podMemory = req['memory'] ?? 0;
      this.lastPod = pod;
    }
    const cpuCap = node.allocatable['cpu'] ?? 0;
    const memCap = node.allocatable['memory'] ?? 0;
    if (cpuCap === 0 || memCap === 0) return 0;
    const cpu = Math.min(1, ((node.requested['cpu'] ?? 0) + this.podCpu) / cpuCap);
    const mem = Math.min(1, ((node.requested['memory'] ?? 0) + this.podMemory) / memCap);
    const std = Math.abs(cpu - mem) / 2;
    return Math.floor((1 - std) * maxNodeScore);
  }
}
