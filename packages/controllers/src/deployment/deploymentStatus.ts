import { metaTime, getCondition, setCondition, type appsv1 } from '@tugboat/core';

import { isComplete, resolveFenceposts, specReplicas, sum } from './deploymentUtil.js';

type Condition = appsv1.DeploymentCondition;

/** A Deployment's status counts from its ReplicaSets, with the `Available` condition (upstream `calculateStatus`). */
export function calculateStatus(
  d: appsv1.Deployment,
  all: readonly appsv1.ReplicaSet[],
  newRS: appsv1.ReplicaSet | undefined,
  now: number,
): appsv1.DeploymentStatus {
  const available = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
  const status: appsv1.DeploymentStatus = {
    ...(d.status ?? {}),
    replicas: sum(all, (rs) => rs.status?.replicas ?? 0),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum(all, (rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(d) - available),
  };
  if (d.metadata?.generation !== undefined) status.observedGeneration = d.metadata.generation;
  const minAvailable = specReplicas(d) - resolveFenceposts(d).unavailable;
  status.conditions = putCondition(
    status.conditions,
    available >= minAvailable
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
    now,
  );
  return status;
}

/** Sets a condition, keeping the old `lastUpdateTime` when nothing but the time would change. */
export function putCondition(
  conditions: Condition[] | undefined,
  c: Condition,
  now: number,
  touch = false,
): Condition[] {
  const old = getCondition(conditions, c.type);
  const same =
    old !== undefined && old.status === c.status && old.reason === c.reason && old.message === c.message;
  const next: Condition = {
    ...c,
    lastUpdateTime: same && !touch && old.lastUpdateTime ? old.lastUpdateTime : metaTime(now),
  };
  if (same && old.lastUpdateTime === next.lastUpdateTime) return conditions ?? [];
  return setCondition<Condition>(conditions, next, new Date(now));
}

/**
 * Adds the `Progressing` condition to a freshly calculated status (upstream `syncRolloutStatus`):
 * complete → NewReplicaSetAvailable; progress since the last status → ReplicaSetUpdated (which
 * restarts the deadline); no progress past `progressDeadlineSeconds` → False,
 * ProgressDeadlineExceeded. Returns when to look again for the deadline.
 */
export function progressStatus(
  d: appsv1.Deployment,
  status: appsv1.DeploymentStatus,
  newRS: appsv1.ReplicaSet | undefined,
  now: number,
): { status: appsv1.DeploymentStatus; requeueAfter?: number } {
  const deadline = d.spec?.progressDeadlineSeconds;
  if (deadline === undefined) {
    status.conditions = (status.conditions ?? []).filter((c) => c.type !== 'Progressing');
    return { status };
  }
  const current = getCondition(status.conditions, 'Progressing');
  if (current?.reason === 'ProgressDeadlineExceeded') return { status };
  const rsName = newRS?.metadata?.name;
  const old = d.status ?? {};
  if (isComplete(d, status)) {
    status.conditions = putCondition(
      status.conditions,
      {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: rsName
          ? `ReplicaSet "${rsName}" has successfully progressed.`
          : 'Deployment has successfully progressed.',
      },
      now,
    );
    return { status };
  }
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  const progressed =
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0) ||
    newOld < oldOld;
  if (progressed || current === undefined || current.status !== 'True') {
    status.conditions = putCondition(
      status.conditions,
      {
        type: 'Progressing',
        status: 'True',
        reason: 'ReplicaSetUpdated',
        message: rsName ? `ReplicaSet "${rsName}" is progressing.` : 'Deployment is progressing.',
      },
      now,
      true,
    );
  }
  const cond = getCondition(status.conditions, 'Progressing');
  const from = cond?.lastUpdateTime ? Date.parse(cond.lastUpdateTime) : now;
  const left = from + deadline * 1000 - now;
  if (left <= 0 && cond?.reason !== 'NewReplicaSetAvailable') {
    status.conditions = putCondition(
      status.conditions,
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: rsName
          ? `ReplicaSet "${rsName}" has timed out progressing.`
          : 'Deployment has timed out progressing.',
      },
      now,
    );
    return { status };
  }
  return { status, requeueAfter: left + 100 };
}
