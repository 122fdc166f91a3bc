import {
  selectorFromLabelSelector,
  selectorFromSet,
  type corev1,
  type NodeInfo,
  type Selector,
} from '@tugboat/core';

import { matchesRequiredNodeAffinity } from '../../internal/nodeSelector.js';
import { findUntoleratedTaint } from '../../internal/tolerations.js';

/** A topology spread constraint compiled for one pod. */
export interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly minDomains: number;
  readonly selector: Selector;
  readonly honorAffinity: boolean;
  readonly honorTaints: boolean;
}

const cache = new WeakMap<corev1.Pod, { hard: Constraint[]; soft: Constraint[] }>();

function compile(pod: corev1.Pod, c: corev1.TopologySpreadConstraint): Constraint {
  let selector = selectorFromLabelSelector(c.labelSelector);
  const keys = c.matchLabelKeys ?? [];
  if (keys.length > 0) {
    const labels = pod.metadata?.labels ?? {};
    const extra: Record<string, string> = {};
    for (const k of keys) if (labels[k] !== undefined) extra[k] = labels[k];
    const more = selectorFromSet(extra);
    const base = selector;
    selector = {
      matches: (l) => base.matches(l) && more.matches(l),
      empty: base.empty && more.empty,
      requirements: [...base.requirements, ...more.requirements],
      toString: () => [base.toString(), more.toString()].filter(Boolean).join(','),
    };
  }
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    minDomains: c.minDomains ?? 1,
    selector,
    honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorTaints: c.nodeTaintsPolicy === 'Honor',
  };
}

/** The pod's DoNotSchedule (hard) and ScheduleAnyway (soft) constraints, compiled once per pod. */
export function constraintsOf(pod: corev1.Pod): { hard: Constraint[]; soft: Constraint[] } {
  let c = cache.get(pod);
  if (c === undefined) {
    const all = pod.spec?.topologySpreadConstraints ?? [];
    c = {
      hard: all.filter((x) => x.whenUnsatisfiable === 'DoNotSchedule').map((x) => compile(pod, x)),
      soft: all.filter((x) => x.whenUnsatisfiable === 'ScheduleAnyway').map((x) => compile(pod, x)),
    };
    cache.set(pod, c);
  }
  return c;
}

/** Whether a node takes part in counting for `constraints` (all keys present, policies honoured). */
export function nodeCounts(pod: corev1.Pod, constraints: readonly Constraint[], node: NodeInfo): boolean {
  const labels = node.node.metadata?.labels;
  if (labels === undefined) return false;
  for (const c of constraints) if (labels[c.topologyKey] === undefined) return false;
  if (constraints.some((c) => c.honorAffinity) && !matchesRequiredNodeAffinity(pod, node.node)) return false;
  if (
    constraints.some((c) => c.honorTaints) &&
    findUntoleratedTaint(node.node.spec?.taints, pod.spec?.tolerations, ['NoSchedule', 'NoExecute']) !==
      undefined
  ) {
    return false;
  }
  return true;
}

/** The pods on `node` in the pod's namespace that `c` selects (terminating pods do not count). */
export function countMatching(pod: corev1.Pod, c: Constraint, node: NodeInfo): number {
  const ns = pod.metadata?.namespace;
  let n = 0;
  for (const p of node.pods) {
    const m = p.pod.metadata;
    if (
      m !== undefined &&
      m.namespace === ns &&
      m.deletionTimestamp === undefined &&
      c.selector.matches(m.labels)
    )
      n++;
  }
  return n;
}
