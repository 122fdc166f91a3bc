import type { appsv1 } from '@tugboat/core';

import type { DeploymentSync } from './DeploymentSync.js';
import { names, resolveFenceposts, specReplicas, sum } from './deploymentUtil.js';

/** Creation time, then name: upstream `ReplicaSetsByCreationTimestamp`. */
function olderFirst(a: appsv1.ReplicaSet, b: appsv1.ReplicaSet): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Larger first; among equals, newer first when scaling up and older first when scaling down. */
function bySize(up: boolean): (a: appsv1.ReplicaSet, b: appsv1.ReplicaSet) => number {
  return (a, b) => {
    const d = specReplicas(b) - specReplicas(a);
    if (d !== 0) return d;
    return up ? olderFirst(b, a) : olderFirst(a, b);
  };
}

/** Whether the new ReplicaSet already runs the whole Deployment (upstream `IsSaturated`). */
function isSaturated(d: appsv1.Deployment, rs: appsv1.ReplicaSet | undefined): boolean {
  if (rs === undefined) return false;
  const replicas = specReplicas(d);
  const desired = Number(rs.metadata?.annotations?.[names.desiredReplicas] ?? 'NaN');
  return (
    specReplicas(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas
  );
}

/**
 * This ReplicaSet's share of a change in the Deployment's size (upstream `getReplicaSetFraction`):
 * its size scaled by new/old maximum, the old maximum read from the `max-replicas` annotation
 * stamped when it was last sized (else the Deployment's current replica count).
 */
function fraction(rs: appsv1.ReplicaSet, d: appsv1.Deployment): number {
  const replicas = specReplicas(d);
  if (replicas === 0) return -specReplicas(rs);
  const maxNow = replicas + resolveFenceposts(d).surge;
  let maxBefore = Number(rs.metadata?.annotations?.[names.maxReplicas] ?? 'NaN');
  if (!Number.isInteger(maxBefore) || maxBefore <= 0) {
    maxBefore = d.status?.replicas ?? 0;
    if (maxBefore === 0) return 0;
  }
  return Math.floor((specReplicas(rs) * maxNow) / maxBefore + 0.5) - specReplicas(rs);
}

/** Upstream `GetProportion`: the fraction, capped so the sum never passes `toAdd`. */
function proportion(rs: appsv1.ReplicaSet, d: appsv1.Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const f = fraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(f, allowed) : Math.max(f, allowed);
}

/**
 * Scaling without a rollout, when paused or when `spec.replicas` changed mid-rollout (upstream
 * `scale`): a single active ReplicaSet (or, with none, the newest) takes the whole count; a
 * saturated new ReplicaSet sends the old ones to zero; otherwise, for a RollingUpdate, the change
 * up to `replicas + maxSurge` is spread over the active ReplicaSets in proportion to their sizes,
 * larger ones first and the rounding leftover to the largest, so a rollout keeps its ratio of old
 * to new while the Deployment grows or shrinks. Returns whether any ReplicaSet was resized.
 */
export async function scaleOnly(sync: DeploymentSync): Promise<boolean> {
  const d = sync.d;
  const replicas = specReplicas(d);
  const active = sync.all.filter((rs) => specReplicas(rs) > 0);
  const newest = [...sync.old].sort(olderFirst).at(-1);
  const single = active.length === 1 ? active[0] : active.length === 0 ? (sync.newRS ?? newest) : undefined;
  // Scaled even at the right size, so its desired-replicas annotation stops calling this a scaling event.
  if (single !== undefined) return sync.scale(single, replicas);

  if (isSaturated(d, sync.newRS) || d.spec?.strategy?.type === 'Recreate') {
    // A Recreate rollout sends every old ReplicaSet to zero before anything else anyway.
    let scaled = false;
    for (const rs of sync.old) if (specReplicas(rs) > 0 && (await sync.scale(rs, 0))) scaled = true;
    return scaled;
  }

  const allowed = replicas > 0 ? replicas + resolveFenceposts(d).surge : 0;
  const toAdd = allowed - sum(active, specReplicas);
  const ordered = [...active].sort(bySize(toAdd > 0));
  const sizes = new Map<appsv1.ReplicaSet, number>();
  let added = 0;
  for (const rs of ordered) {
    const p = proportion(rs, d, toAdd, added);
    sizes.set(rs, specReplicas(rs) + p);
    added += p;
  }
  let scaled = false;
  for (const [i, rs] of ordered.entries()) {
    let size = sizes.get(rs) ?? specReplicas(rs);
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    // Every active ReplicaSet gets the new desired/max annotations, resized or not.
    if (await sync.scale(rs, size)) scaled = true;
  }
  return scaled;
}
