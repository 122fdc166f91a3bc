import { setCondition, type appsv1, type corev1 } from '@tugboat/core';

import { isPodAvailable, isPodReady, msUntilAvailable } from '../internal/podUtil.js';

/**
 * A ReplicaSet's status computed from the pods it owns (upstream `calculateStatus`): replicas,
 * fully labelled, ready and available (ready for `minReadySeconds`) counts, the observed
 * generation, and a `ReplicaFailure` condition while creating or deleting pods fails. Also says
 * when a ready pod will become available, so the controller can look again then.
 */
export function replicaSetStatus(
  rs: appsv1.ReplicaSet,
  pods: readonly corev1.Pod[],
  failure: unknown,
  now: number,
): { status: appsv1.ReplicaSetStatus; requeueAfter?: number } {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const templateLabels = Object.entries(rs.spec?.template?.metadata?.labels ?? {});
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  let requeueAfter: number | undefined;
  for (const pod of pods) {
    const labels = pod.metadata?.labels ?? {};
    if (templateLabels.every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (!isPodReady(pod)) continue;
    ready++;
    if (isPodAvailable(pod, minReady, now)) available++;
    const wait = msUntilAvailable(pod, minReady, now);
    if (wait !== undefined) requeueAfter = Math.min(requeueAfter ?? wait, wait);
  }
  let conditions = rs.status?.conditions;
  if (failure !== undefined) {
    const desired = rs.spec?.replicas ?? 1;
    conditions = setCondition(conditions, {
      type: 'ReplicaFailure',
      status: 'True',
      reason: pods.length < desired ? 'FailedCreate' : 'FailedDelete',
      message: failure instanceof Error ? failure.message : JSON.stringify(failure),
    });
  } else if (conditions?.some((c) => c.type === 'ReplicaFailure')) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: appsv1.ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
  };
  if (rs.metadata?.generation !== undefined) status.observedGeneration = rs.metadata.generation;
  if (conditions !== undefined && conditions.length > 0) status.conditions = conditions;
  return requeueAfter !== undefined ? { status, requeueAfter: requeueAfter + 10 } : { status };
}

/** Whether two statuses differ in anything a reader would notice. */
export function statusChanged(a: object | undefined, b: object): boolean {
  return JSON.stringify(normalize(a ?? {})) !== JSON.stringify(normalize(b));
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined && v !== 0 && !(Array.isArray(v) && v.length === 0)) out[k] = normalize(v);
    }
    return out;
  }
  return value;
}
