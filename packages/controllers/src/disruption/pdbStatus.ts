import { setCondition, type ConditionLike, type corev1, type metav1, type policyv1 } from '@tugboat/core';

import { scaledValue } from '../internal/intOrPercent.js';
import { isPodReady } from '../internal/podUtil.js';

/**
 * How long an eviction the apiserver granted (an entry of `status.disruptedPods`) holds its pod out
 * of the healthy count while the deletion has not shown up yet (upstream's `DeletionTimeout`).
 */
export const disruptedPodTimeoutMs = 2 * 60 * 1000;

/** What {@link pdbStatus} needs besides the budget: the pods it selects and what they should number. */
export interface PdbInputs {
  /** The pods of the budget's namespace its selector matches. */
  readonly pods: readonly corev1.Pod[];
  /**
   * The replicas the pods' controllers ask for, when the budget needs that number (a percentage
   * or `maxUnavailable`); a string is why it could not be worked out.
   */
  readonly expectedScale?: number | string;
  readonly now: number;
}

/** The status and, when an entry of `disruptedPods` will expire, when to look again. */
export interface PdbStatusResult {
  readonly status: policyv1.PodDisruptionBudgetStatus;
  readonly requeueAfter?: number;
}

/**
 * Whether the budget needs its pods' controllers' scale: it does for `maxUnavailable` and for a
 * percentage `minAvailable` (upstream `getExpectedPodCount`); an integer `minAvailable` counts pods.
 */
export function needsExpectedScale(pdb: policyv1.PodDisruptionBudget): boolean {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined) return true;
  return typeof spec.minAvailable === 'string' && spec.minAvailable.endsWith('%');
}

/**
 * A PodDisruptionBudget's status (upstream disruption controller `trySync`): expected and healthy
 * pods, how many must stay healthy, how many voluntary disruptions are allowed now, the evictions
 * granted but not yet seen as deletions, and the `DisruptionAllowed` condition. When the expected
 * count cannot be known (a pod without a scalable controller) nothing may be disrupted and the
 * condition says why (`SyncFailed`).
 */
export function pdbStatus(pdb: policyv1.PodDisruptionBudget, inputs: PdbInputs): PdbStatusResult {
  const { pods, now } = inputs;
  const generation = pdb.metadata?.generation;
  const base: policyv1.PodDisruptionBudgetStatus = {
    currentHealthy: 0,
    desiredHealthy: 0,
    disruptionsAllowed: 0,
    expectedPods: 0,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  const spec = pdb.spec ?? {};
  let expected = pods.length;
  let desired = 0;
  try {
    if (needsExpectedScale(pdb)) {
      if (typeof inputs.expectedScale !== 'number') throw new Error(inputs.expectedScale ?? 'no scale');
      expected = inputs.expectedScale;
    }
    if (spec.maxUnavailable !== undefined) {
      desired = Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true));
    } else if (spec.minAvailable !== undefined) {
      desired = scaledValue(spec.minAvailable, expected, true);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      status: {
        ...base,
        conditions: disruptionAllowed(pdb, false, 'SyncFailed', message),
      },
    };
  }

  // Evictions granted recently whose pods still show: they count as gone until the timeout.
  const disrupted: Record<string, string> = {};
  let requeueAfter: number | undefined;
  const live = new Set(pods.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name));
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const left = Date.parse(at) + disruptedPodTimeoutMs - now;
    if (!live.has(name) || !(left > 0)) continue;
    disrupted[name] = at;
    requeueAfter = Math.min(requeueAfter ?? left, left);
  }
  let healthy = 0;
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp || name in disrupted) continue;
    if (isPodReady(pod)) healthy++;
  }
  const allowed = Math.max(0, healthy - desired);
  const status: policyv1.PodDisruptionBudgetStatus = {
    ...base,
    currentHealthy: healthy,
    desiredHealthy: desired,
    disruptionsAllowed: allowed,
    expectedPods: expected,
    conditions: disruptionAllowed(pdb, allowed > 0, allowed > 0 ? 'SufficientPods' : 'InsufficientPods', ''),
  };
  if (Object.keys(disrupted).length > 0) status.disruptedPods = disrupted;
  return requeueAfter !== undefined ? { status, requeueAfter: requeueAfter + 10 } : { status };
}

/** The budget's conditions with `DisruptionAllowed` set (its transition time kept while unchanged). */
function disruptionAllowed(
  pdb: policyv1.PodDisruptionBudget,
  allowed: boolean,
  reason: string,
  message: string,
): metav1.Condition[] {
  const generation = pdb.metadata?.generation;
  const condition: ConditionLike & { observedGeneration?: number } = {
    type: 'DisruptionAllowed',
    status: allowed ? 'True' : 'False',
    reason,
    message,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  return setCondition<ConditionLike>(pdb.status?.conditions, condition) as metav1.Condition[];
}
