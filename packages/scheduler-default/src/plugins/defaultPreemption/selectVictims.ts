import type { corev1, CycleState, FrameworkHandle, NodeInfo, PodInfo } from '@tugboat/core';

import { MutableNodeInfo } from '../../cache/MutableNodeInfo.js';
import { CycleStateImpl } from '../../framework/CycleStateImpl.js';

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
}

const priorityOf = (p: corev1.Pod): number => p.spec?.priority ?? 0;

/**
 * Upstream's selectVictimsOnNode: remove every lower-priority pod and check the preemptor fits;
 * then re-add them from the highest priority down, keeping each one that still lets it fit.
 * Undefined when even removing all of them does not help.
 */
export function selectVictims(
  handle: FrameworkHandle,
  state: CycleState,
  pod: corev1.Pod,
  original: NodeInfo,
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
  const victims: PodInfo[] = [];
  for (const p of candidates) {
    node.addPod(p);
    handle.runPreFilterAddPod(sim, pod, p, node);
    if (handle.runFilters(sim, pod, node).code !== 'Success') {
      node.removePod(p.pod.metadata?.uid ?? '');
      handle.runPreFilterRemovePod(sim, pod, p, node);
      victims.push(p);
    }
  }
  return { node: original, pods: victims };
}

/** Upstream's pickOneNodeForPreemption, minus PDBs: lowest top victim priority, then lowest sum, then fewest. */
export function pickBest(all: readonly Victims[]): Victims | undefined {
  const key = (v: Victims): [number, number, number] => {
    let top = -Infinity;
    let sum = 0;
    for (const p of v.pods) {
      const pr = priorityOf(p.pod);
      if (pr > top) top = pr;
      sum += pr;
    }
    return [top, sum, v.pods.length];
  };
  let best: Victims | undefined;
  let bestKey: [number, number, number] | undefined;
  for (const v of all) {
    const k = key(v);
    if (
      bestKey === undefined ||
      k[0] < bestKey[0] ||
      (k[0] === bestKey[0] && (k[1] < bestKey[1] || (k[1] === bestKey[1] && k[2] < bestKey[2])))
    ) {
      best = v;
      bestKey = k;
    }
  }
  return best;
}
