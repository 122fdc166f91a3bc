import {
  ApiError,
  type corev1,
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type PluginStatus,
  type PreFilterPlugin,
  type ScorePlugin,
} from '@tugboat/core';

import { statusOf, success } from '../../framework/status.js';
import { podInfoOf } from '../../internal/podInfo.js';
import { resourceScorer, type ScoringStrategy } from './scoring.js';

/** Arguments of {@link NodeResourcesFit}, as upstream's NodeResourcesFitArgs. */
export interface NodeResourcesFitArgs {
  readonly scoringStrategy?: ScoringStrategy;
  /** Resources the filter ignores (e.g. an extended resource managed elsewhere). */
  readonly ignoredResources?: readonly string[];
}

const tooManyPods = statusOf('Unschedulable', 'Too many pods');
const insufficient = new Map<string, PluginStatus>();

function insufficientOf(names: readonly string[]): PluginStatus {
  const key = names.join(',');
  let s = insufficient.get(key);
  if (s === undefined) {
    s = statusOf('Unschedulable', ...names.map((n) => `Insufficient ${n}`));
    insufficient.set(key, s);
  }
  return s;
}

/**
 * The NodeResourcesFit plugin: Filter checks the pod's requests (cpu, memory, ephemeral-storage,
 * extended resources) and the pod count against what is left of the node's allocatable; Score
 * ranks nodes by LeastAllocated (default), MostAllocated or RequestedToCapacityRatio.
 */
export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, ScorePlugin {
  static readonly pluginName = 'NodeResourcesFit';
  readonly name = NodeResourcesFit.pluginName;
  private readonly ignored: ReadonlySet<string>;
  private readonly scorer: (pod: corev1.Pod, node: NodeInfo) => number;
  /** The pod of the cycle in progress and its parsed requests: Filter runs per node, this once. */
  private lastPod: corev1.Pod | undefined;
  private cpu = 0;
  private memory = 0;
  private ephemeral = 0;
  /** Requested resources beyond cpu, memory and ephemeral-storage (extended resources). */
  private extended: readonly string[] = [];
  private requests: Readonly<Record<string, number>> = {};

  constructor(args: NodeResourcesFitArgs = {}) {
    if (args.scoringStrategy !== undefined && typeof args.scoringStrategy !== 'object') {
      throw new ApiError('Invalid', 'NodeResourcesFit: scoringStrategy must be an object');
    }
    this.ignored = new Set(args.ignoredResources ?? []);
    this.scorer = resourceScorer(args.scoringStrategy ?? { type: 'LeastAllocated' });
  }

  preFilter(_state: CycleState, pod: corev1.Pod): PluginStatus {
    this.remember(pod);
    return success;
  }

  /** Parses the pod's requests once per cycle into fields the per-node Filter reads. */
  private remember(pod: corev1.Pod): void {
    const req = podInfoOf(pod).requests;
    const on = (n: string): number => (this.ignored.has(n) ? 0 : (req[n] ?? 0));
    this.lastPod = pod;
    this.requests = req;
    this.cpu = on('cpu');
    this.memory = on('memory');
    this.ephemeral = on('ephemeral-storage');
    this.extended = Object.keys(req).filter(
      (n) =>
        n !== 'cpu' &&
        n !== 'memory' &&
        n !== 'ephemeral-storage' &&
        (req[n] ?? 0) > 0 &&
        !this.ignored.has(n),
    );
  }

  filter(_state: CycleState, pod: corev1.Pod, node: NodeInfo): PluginStatus {
    if (pod !== this.lastPod) this.remember(pod);
    const alloc = node.allocatable;
    const used = node.requested;
    if (node.pods.length + 1 > (alloc['pods'] ?? 0)) return tooManyPods;
    // The common resources by constant name (fast property access); others by key.
    const cpuShort = this.cpu > 0 && this.cpu > (alloc['cpu'] ?? 0) - (used['cpu'] ?? 0);
    const memShort = this.memory > 0 && this.memory > (alloc['memory'] ?? 0) - (used['memory'] ?? 0);
    const ephShort =
      this.ephemeral > 0 &&
      this.ephemeral > (alloc['ephemeral-storage'] ?? 0) - (used['ephemeral-storage'] ?? 0);
    let failed: string[] | undefined;
    if (cpuShort || memShort || ephShort) {
      failed = [];
      if (cpuShort) failed.push('cpu');
      if (memShort) failed.push('memory');
      if (ephShort) failed.push('ephemeral-storage');
    }
    const extended = this.extended;
    for (let i = 0; i < extended.length; i++) {
      const n = extended[i] as string;
      if ((this.requests[n] ?? 0) > (alloc[n] ?? 0) - (used[n] ?? 0)) (failed ??= []).push(n);
    }
    return failed === undefined ? success : insufficientOf(failed);
  }

  score(_state: CycleState, pod: corev1.Pod, node: NodeInfo): number {
    return this.scorer(pod, node);
  }
}
