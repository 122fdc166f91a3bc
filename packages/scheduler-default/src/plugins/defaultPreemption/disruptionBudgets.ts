import {
  selectorFromLabelSelector,
  type corev1,
  type policyv1,
  type Selector,
  type Snapshot,
} from '@tugboat/core';

/** A PodDisruptionBudget as preemption reads it: whom it covers and how many may still go. */
export interface DisruptionBudget {
  readonly namespace: string;
  readonly selector: Selector;
  /** Voluntary disruptions still allowed (may be 0 or less). */
  readonly allowed: number;
  /** Pods already being disrupted (`status.disruptedPods`): evicting them again costs nothing. */
  readonly disrupted: ReadonlySet<string>;
}

/** Whether the budget covers `pod` (a PDB with an empty selector covers nothing, as upstream). */
export function covers(b: DisruptionBudget, pod: corev1.Pod): boolean {
  return (
    pod.metadata?.namespace === b.namespace && !b.selector.empty && b.selector.matches(pod.metadata.labels)
  );
}

/**
 * The budgets of `pdbs`: `status.disruptionsAllowed` when the disruption controller has written
 * it; otherwise computed here from `minAvailable`/`maxUnavailable` against the matching pods the
 * scheduler knows of, counting as healthy those neither terminating nor finished. Budgets with
 * an unparsable selector are left out (they protect nothing upstream either).
 */
export function disruptionBudgets(
  pdbs: readonly policyv1.PodDisruptionBudget[],
  snapshot: Snapshot,
): DisruptionBudget[] {
  const out: DisruptionBudget[] = [];
  for (const pdb of pdbs) {
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(pdb.spec?.selector);
    } catch {
      continue;
    }
    const namespace = pdb.metadata?.namespace ?? 'default';
    const disrupted = new Set(Object.keys(pdb.status?.disruptedPods ?? {}));
    const budget = { namespace, selector, allowed: 0, disrupted };
    const written = pdb.status?.disruptionsAllowed;
    out.push({ ...budget, allowed: written ?? computeAllowed(pdb, budget, snapshot) });
  }
  return out;
}

function computeAllowed(pdb: policyv1.PodDisruptionBudget, b: DisruptionBudget, snapshot: Snapshot): number {
  let expected = 0;
  let healthy = 0;
  for (const node of snapshot.nodes) {
    for (const p of node.pods) {
      if (!covers(b, p.pod)) continue;
      expected++;
      const phase = p.pod.status?.phase;
      if (p.pod.metadata?.deletionTimestamp === undefined && phase !== 'Succeeded' && phase !== 'Failed')
        healthy++;
    }
  }
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined) return scaled(spec.maxUnavailable, expected) - (expected - healthy);
  if (spec.minAvailable !== undefined) return healthy - scaled(spec.minAvailable, expected);
  // Neither set: the disruption controller wants 0 healthy pods, so every healthy one may go.
  return healthy;
}

/** An int-or-percent against `total`, percentages rounded up (upstream's GetScaledValueFromIntOrPercent). */
function scaled(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (m === null) {
    const n = Number(v);
    return Number.isFinite(n) ? n : total;
  }
  return Math.ceil((Number(m[1]) * total) / 100);
}
