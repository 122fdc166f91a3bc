import { metaTime } from '@tugboat/core';
import type { corev1, DeleteOptions, KubeObject, ResourceDefinition } from '@tugboat/core';

import { metaOf, type Mutable } from './mutable.js';

/** What a delete request does to an object: remove it now, or store it marked for deletion. */
export interface DeletionPlan {
  readonly object: KubeObject;
  /** True when the object leaves the store now. */
  readonly remove: boolean;
}

const orphan = 'orphan';
const foreground = 'foregroundDeletion';

/**
 * Decides what a delete does, as upstream's `BeforeDelete` and garbage-collector finalizers:
 * propagation finalizers, graceful deletion of bound pods, namespaces turning Terminating, and
 * objects with finalizers staying with a deletionTimestamp until the last finalizer goes.
 */
export function planDeletion(
  def: ResourceDefinition,
  current: KubeObject,
  options: DeleteOptions,
  now = Date.now(),
): DeletionPlan {
  const obj = structuredClone(current);
  const meta = metaOf(obj);
  applyPropagation(meta, options.propagationPolicy);
  const finalizers = meta.finalizers ?? [];
  if (finalizers.length === 0) delete meta.finalizers;
  if (def.group === '' && def.plural === 'namespaces') {
    const ns = obj as corev1.Namespace;
    ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
    if (!meta.deletionTimestamp) {
      meta.deletionTimestamp = metaTime(now);
      meta.deletionGracePeriodSeconds = 0;
    }
    return { object: obj, remove: finalizers.length === 0 && (ns.spec?.finalizers ?? []).length === 0 };
  }
  const grace = gracePeriod(def, obj, options);
  if (meta.deletionTimestamp) {
    const current = meta.deletionGracePeriodSeconds ?? 0;
    if (grace < current) {
      meta.deletionTimestamp = metaTime(now + grace * 1000);
      meta.deletionGracePeriodSeconds = grace;
    }
  } else if (grace > 0 || finalizers.length > 0) {
    meta.deletionTimestamp = metaTime(now + grace * 1000);
    meta.deletionGracePeriodSeconds = grace;
  }
  return { object: obj, remove: finalizers.length === 0 && (meta.deletionGracePeriodSeconds ?? 0) === 0 };
}

/** Whether an update leaves an object being deleted with nothing left to wait for. */
export function shouldDeleteDuringUpdate(def: ResourceDefinition, obj: KubeObject, old: KubeObject): boolean {
  if (!old.metadata?.deletionTimestamp) return false;
  if ((obj.metadata?.finalizers ?? []).length > 0) return false;
  if ((old.metadata.deletionGracePeriodSeconds ?? 0) > 0) return false;
  if (def.group === '' && def.plural === 'namespaces')
    return ((obj as corev1.Namespace).spec?.finalizers ?? []).length === 0;
  return true;
}

function applyPropagation(
  meta: Mutable<NonNullable<KubeObject['metadata']>>,
  policy: DeleteOptions['propagationPolicy'],
): void {
  const had = meta.finalizers ?? [];
  const shouldOrphan = policy !== undefined ? policy === 'Orphan' : had.includes(orphan);
  const shouldForeground = policy !== undefined ? policy === 'Foreground' : had.includes(foreground);
  const next = had.filter((f) => f !== orphan && f !== foreground);
  if (shouldOrphan) next.push(orphan);
  if (shouldForeground) next.push(foreground);
  meta.finalizers = next;
}

function gracePeriod(def: ResourceDefinition, obj: KubeObject, options: DeleteOptions): number {
  if (!(def.group === '' && def.plural === 'pods')) return 0;
  const pod = obj as corev1.Pod;
  // Upstream deletes at once what no kubelet is running: unscheduled or finished pods.
  if (!pod.spec?.nodeName || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
  const grace = options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, grace);
}
