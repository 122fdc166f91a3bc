import type { corev1, CycleState, FrameworkHandle, NodeInfo, PodInfo } from '@tugboat/core';

import { MutableNodeInfo } from '../../cache/MutableNodeInfo.js';
import { CycleStateImpl } from '../../framework/CycleStateImpl.js';
import { covers, type DisruptionBudget } from './disruptionBudgets.js';

/** A mutable copy of any NodeInfo, for the what-if simulation. */
function copyOf(info: NodeInfo): MutableNodeInfo {
  const c = new MutableNodeInfo(info.node.metadata?.name ?? '');
  c.setNode(info.node);
  for (const p of info.pods) c.addPod(p);
  return c;
}

/** The pods to evict from one node so the preemptor fits, fewest and lowest priority first. */
export interface Victims {
  readonly node: NodeInfo;
  readonly pods: readonly PodInfo[];
  /** How many of the victims' evictions would break a PodDisruptionBudget. */
  readonly pdbViolations: number;
}

const priorityOf = (p: corev1.Pod): number => p.spec?.priority ?? 0;

/**
 * Upstream's selectVictimsOnNode: remove every lower-priority pod and check the preemptor fits;
 * then re-add them from the highest priority down — those whose eviction would break a
 * PodDisruptionBudget first — keeping each one that still lets it fit. Undefined when even
 * removing all of them does not help.
 */
export function selectVictims(
  handle: FrameworkHandle,
  state: CycleState,
  pod: corev1.Pod,
  original: NodeInfo,
  budgets: readonly DisruptionBudget[] = [],
): Victims | undefined {
  const priority = priorityOf(pod);
  const candidates = original.pods.filter((p) => priorityOf(p.pod) < priority);
  if (candidates.length === 0) return undefined;
  const node = original instanceof MutableNodeInfo ? original.clone() : copyOf(original);
  const sim = state instanceof CycleStateImpl ? state.clone() : state;
  for (const p of candidates) {
    node.removePod(p.pod.metadata?.uid ?? '');
    handle.runPreFilterRemovePod(sim, pod, p, node);
  }
  if (handle.runFilters(sim, pod, node).code !== 'Success') return undefined;
  candidates.sort((a, b) => priorityOf(b.pod) - priorityOf(a.pod));
  const violating = new Set(violatingPods(candidates, budgets));
  const victims: PodInfo[] = [];
  let pdbViolations = 0;
  const order = [
    ...candidates.filter((p) => violating.has(p)),
    ...candidates.filter((p) => !violating.has(p)),
  ];
  for (const p of order) {
    node.addPod(p);
    handle.runPreFilterAddPod(sim, pod, p, node);
    if (handle.runFilters(sim, pod, node).code !== 'Success') {
      node.removePod(p.pod.metadata?.uid ?? '');
      handle.runPreFilterRemovePod(sim, pod, p, node);
      victims.push(p);
      if (violating.has(p)) pdbViolations++;
    }
  }
  return { node: original, pods: victims, pdbViolations };
}

/**
 * Upstream's filterPodsWithPDBViolation: walking the pods from the highest priority down, each
 * budget covering a pod is spent once; the pods that overspend one would violate it.
 */
function violatingPods(pods: readonly PodInfo[], budgets: readonly DisruptionBudget[]): PodInfo[] {
  if (budgets.length === 0) return [];
  const left = budgets.map((b) => b.allowed);
  const out: PodInfo[] = [];
  for (const p of pods) {
    let violated = false;
    for (let i = 0; i < budgets.length; i++) {
      const b = budgets[i] as DisruptionBudget;
      if (!covers(b, p.pod) || b.disrupted.has(p.pod.metadata?.name ?? '')) continue;
      const n = (left[i] ?? 0) - 1;
      left[i] = n;
      if (n < 0) violated = true;
    }
    if (violated) out.push(p);
  }
  return out;
}

/**
 * Upstream's pickOneNodeForPreemption: fewest PodDisruptionBudget violations, then lowest top
 * victim priority, then lowest sum, then fewest victims.
 */
export function pickBest(all: readonly Victims[]): Victims | undefined {
  const key = (v: Victims): [number, number, number, number] => {
    let top = -Infinity;
    let sum = 0;
    for (const p of v.pods) {
      const pr = priorityOf(p.pod);
      if (pr > top) top = pr;
      sum += pr;
    }
    return [v.pdbViolations, top, sum, v.pods.length];
  };
  let best: Victims | undefined;
  let bestKey: [number, number, number, number] | undefined;
  for (const v of all) {
    const k = key(v);
    if (bestKey === undefined || lexLess(k, bestKey)) {
      best = v;
      bestKey = k;
    }
  }
  return best;
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) < (b[i] as number);
  }
  return false;
}
