import type { appsv1 } from '@tugboat/core';

import type { DeploymentSync } from './DeploymentSync.js';
import { isComplete, isSettled, podBound, resolveFenceposts, specReplicas, sum } from './deploymentUtil.js';

/**
 * One step of a RollingUpdate (upstream `rolloutRolling`): scale the new ReplicaSet up within
 * `maxSurge`, else scale old ones down within `maxUnavailable` (unhealthy replicas first), else
 * clean up history once complete. Steps wait until every ReplicaSet's status has caught up with
 * its spec, so no decision is made on counts that are about to change. Returns whether it scaled.
 */
export async function rolloutRolling(sync: DeploymentSync): Promise<boolean> {
  await sync.ensureNewReplicaSet(true);
  if (!sync.all.every(isSettled)) return false;
  const newRS = sync.newRS;
  if (newRS !== undefined) {
    const replicas = specReplicas(sync.d);
    const current = specReplicas(newRS);
    if (current > replicas) return sync.scale(newRS, replicas);
    if (current < replicas) {
      const next = sync.newReplicasCount(current);
      if (next !== current) return sync.scale(newRS, next);
    }
  }
  if (await reconcileOld(sync)) return true;
  if (isComplete(sync.d, sync.d.status ?? {})) await sync.cleanup();
  return false;
}

async function reconcileOld(sync: DeploymentSync): Promise<boolean> {
  const oldPods = sum(sync.old, specReplicas);
  if (oldPods === 0) return false;
  const replicas = specReplicas(sync.d);
  const { unavailable } = resolveFenceposts(sync.d);
  const minAvailable = replicas - unavailable;
  const newRS = sync.newRS;
  const newUnavailable = newRS ? specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0) : 0;
  let budget = sum(sync.all, podBound) - minAvailable - newUnavailable;
  if (budget <= 0) return false;
  let scaled = false;
  // First the old replicas that are not available anyway: removing them costs no availability.
  for (const rs of [...sync.old]) {
    if (budget <= 0) break;
    const size = specReplicas(rs);
    const unhealthy = size - (rs.status?.availableReplicas ?? 0);
    if (size === 0 || unhealthy <= 0) continue;
    const down = Math.min(budget, unhealthy);
    if (await sync.scale(rs, size - down)) scaled = true;
    budget -= down;
  }
  const available = sum(sync.all, (rs) => Math.min(rs.status?.availableReplicas ?? 0, specReplicas(rs)));
  let toRemove = Math.min(budget, available - minAvailable);
  for (const rs of [...sync.old]) {
    if (toRemove <= 0) break;
    const size = specReplicas(rs);
    if (size === 0) continue;
    const down = Math.min(size, toRemove);
    if (await sync.scale(rs, size - down)) scaled = true;
    toRemove -= down;
  }
  return scaled;
}

/**
 * One step of a Recreate rollout (upstream `rolloutRecreate`): scale every old ReplicaSet to zero,
 * wait until their pods are gone (`oldPodsRunning`), then create and scale up the new one.
 */
export async function rolloutRecreate(
  sync: DeploymentSync,
  oldPodsRunning: (rss: readonly appsv1.ReplicaSet[]) => boolean,
): Promise<boolean> {
  await sync.ensureNewReplicaSet(false);
  let scaled = false;
  for (const rs of [...sync.old]) if (specReplicas(rs) > 0 && (await sync.scale(rs, 0))) scaled = true;
  if (scaled) return true;
  if (oldPodsRunning(sync.old) || !sync.old.every(isSettled)) return false;
  const newRS = await sync.ensureNewReplicaSet(true);
  if (newRS !== undefined && specReplicas(newRS) !== specReplicas(sync.d))
    return sync.scale(newRS, specReplicas(sync.d));
  if (isComplete(sync.d, sync.d.status ?? {})) await sync.cleanup();
  return false;
}
