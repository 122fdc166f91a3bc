import { getCondition, type corev1 } from '@tugboat/core';

/** Whether a pod counts toward its controller's replicas: not finished and not being deleted. */
export function isPodActive(pod: corev1.Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** Whether the pod's `Ready` condition is `True`. */
export function isPodReady(pod: corev1.Pod): boolean {
  return readySince(pod) !== undefined;
}

/**
 * When each pod object last became ready, by object: informer caches replace an object on every
 * change and never mutate it, so a sync walking 10k pods parses each pod's condition time once,
 * not once per sync.
 */
const readySinceOf = new WeakMap<corev1.Pod, number | null>();

/** When the pod last became ready (ms since the epoch), if it is ready. */
export function readySince(pod: corev1.Pod): number | undefined {
  let since = readySinceOf.get(pod);
  if (since === undefined) {
    const c = getCondition(pod.status?.conditions, 'Ready');
    const t = c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
    since = c?.status !== 'True' ? null : Number.isNaN(t) ? 0 : t;
    readySinceOf.set(pod, since);
  }
  return since ?? undefined;
}

/**
 * Whether the pod is available: ready for at least `minReadySeconds` (upstream
 * `IsPodAvailable`). With `minReadySeconds` 0 every ready pod is available.
 */
export function isPodAvailable(pod: corev1.Pod, minReadySeconds: number, now: number): boolean {
  const since = readySince(pod);
  if (since === undefined) return false;
  return minReadySeconds <= 0 || since + minReadySeconds * 1000 <= now;
}

/** Milliseconds until a ready pod becomes available, or undefined when that is not pending. */
export function msUntilAvailable(pod: corev1.Pod, minReadySeconds: number, now: number): number | undefined {
  const since = readySince(pod);
  if (since === undefined || minReadySeconds <= 0) return undefined;
  const left = since + minReadySeconds * 1000 - now;
  return left > 0 ? left : undefined;
}
