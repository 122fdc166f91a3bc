import type { appsv1, corev1 } from '@tugboat/core';

import { scaledValue } from '../internal/intOrPercent.js';
import { stableStringify } from '../internal/templateHash.js';

/** The annotations and label the Deployment controller reads and writes, as upstream names them. */
export const names = {
  revision: 'deployment.kubernetes.io/revision',
  revisionHistory: 'deployment.kubernetes.io/revision-history',
  desiredReplicas: 'deployment.kubernetes.io/desired-replicas',
  maxReplicas: 'deployment.kubernetes.io/max-replicas',
  changeCause: 'kubernetes.io/change-cause',
  lastApplied: 'kubectl.kubernetes.io/last-applied-configuration',
  hashLabel: 'pod-template-hash',
} as const;

/** Deployment annotations never copied onto its ReplicaSets. */
const notCopied = new Set<string>([
  names.lastApplied,
  names.revision,
  names.revisionHistory,
  names.desiredReplicas,
  names.maxReplicas,
  'deprecated.deployment.rollback.to',
]);

/** A ReplicaSet's revision number (0 when it has none). */
export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } }): number {
  const v = Number(obj.metadata?.annotations?.[names.revision] ?? '0');
  return Number.isFinite(v) ? v : 0;
}

/** `spec.replicas` with its default. */
export const specReplicas = (o: { spec?: { replicas?: number } }): number => o.spec?.replicas ?? 1;

/** Pods a ReplicaSet may have: its spec, or more while its status says it still has more. */
export const podBound = (rs: appsv1.ReplicaSet): number =>
  Math.max(specReplicas(rs), rs.status?.replicas ?? 0);

/** Sums `f` over ReplicaSets. */
export const sum = (rss: readonly appsv1.ReplicaSet[], f: (rs: appsv1.ReplicaSet) => number): number =>
  rss.reduce((n, rs) => n + f(rs), 0);

/** Whether a ReplicaSet's status reflects its current spec (the RS controller has caught up). */
export function isSettled(rs: appsv1.ReplicaSet): boolean {
  if (rs.status?.conditions?.some((c) => c.type === 'ReplicaFailure' && c.status === 'True')) return true;
  return (
    (rs.status?.observedGeneration ?? 0) >= (rs.metadata?.generation ?? 0) &&
    (rs.status?.replicas ?? 0) === specReplicas(rs)
  );
}

/**
 * `maxSurge` and `maxUnavailable` as pod counts (upstream `ResolveFenceposts`): surge rounds up,
 * unavailable rounds down, and both zero becomes one unavailable so a rollout can progress.
 */
export function resolveFenceposts(d: appsv1.Deployment): { surge: number; unavailable: number } {
  if (d.spec?.strategy?.type === 'Recreate') return { surge: 0, unavailable: 0 };
  const replicas = specReplicas(d);
  const r = d.spec?.strategy?.rollingUpdate;
  const surge = scaledValue(r?.maxSurge ?? '25%', replicas, true);
  const unavailable = scaledValue(r?.maxUnavailable ?? '25%', replicas, false);
  if (surge === 0 && unavailable === 0) return { surge, unavailable: 1 };
  return { surge, unavailable: Math.min(unavailable, replicas) };
}

/**
 * A value with nulls, empty objects and empty arrays removed, recursively. Upstream compares
 * templates after decoding them into Go structs (`apiequality.Semantic.DeepEqual`), where
 * `creationTimestamp: null`, `resources: {}` and an absent field are all the same zero value;
 * kubectl's `rollout undo` writes templates in that re-encoded form.
 */
export function semanticForm<T>(value: T): T {
  return (prune(value) ?? {}) as T;
}

function prune(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    return value.length === 0 ? undefined : value.map((v) => prune(v) ?? {});
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const p = prune(v);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/** A pod template without the `pod-template-hash` label, in canonical semantic form, for comparisons. */
export function templateKey(template: corev1.PodTemplateSpec | undefined): string {
  if (template === undefined) return computeTemplateKey(undefined);
  // Cached objects are replaced, never mutated, so a template object's key never changes; the
  // Deployment controller compares every ReplicaSet's template on each of many syncs.
  let key = templateKeys.get(template);
  if (key === undefined) templateKeys.set(template, (key = computeTemplateKey(template)));
  return key;
}

const templateKeys = new WeakMap<corev1.PodTemplateSpec, string>();

function computeTemplateKey(template: corev1.PodTemplateSpec | undefined): string {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels)
    t.metadata.labels = Object.fromEntries(
      Object.entries(t.metadata.labels).filter(([k]) => k !== names.hashLabel),
    );
  return stableStringify(semanticForm(t));
}

/**
 * Copies the Deployment's annotations onto its ReplicaSet and raises the ReplicaSet's revision to
 * `revision` when lower, keeping the former one in `revision-history` (upstream
 * `SetNewReplicaSetAnnotations`). Mutates `rs`; returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: appsv1.Deployment,
  rs: appsv1.ReplicaSet,
  revision: number,
  exists: boolean,
): boolean {
  const meta = (rs.metadata ??= {});
  const ann = { ...(meta.annotations ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (notCopied.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  const old = ann[names.revision];
  if ((old === undefined ? 0 : Number(old)) < revision) {
    ann[names.revision] = String(revision);
    if (exists && old !== undefined) {
      const history = ann[names.revisionHistory];
      ann[names.revisionHistory] = history ? `${history},${old}` : old;
    }
    changed = true;
  }
  if (!exists) {
    const { surge } = resolveFenceposts(d);
    ann[names.desiredReplicas] = String(specReplicas(d));
    ann[names.maxReplicas] = String(specReplicas(d) + surge);
  }
  meta.annotations = ann;
  return changed;
}

/** Whether the rollout is complete: every replica updated and available, and the spec observed. */
export function isComplete(d: appsv1.Deployment, status: appsv1.DeploymentStatus): boolean {
  const replicas = specReplicas(d);
  return (
    status.updatedReplicas === replicas &&
    status.replicas === replicas &&
    status.availableReplicas === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
  );
}
