import type { corev1 } from '@tugboat/core';

/** Whether `toleration` tolerates `taint`, as upstream's ToleratesTaint. */
export function tolerates(toleration: corev1.Toleration, taint: corev1.Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  const op = toleration.operator ?? 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return (toleration.value ?? '') === (taint.value ?? '');
  return false;
}

/** The first taint with one of `effects` that no toleration tolerates. */
export function findUntoleratedTaint(
  taints: readonly corev1.Taint[] | undefined,
  tolerations: readonly corev1.Toleration[] | undefined,
  effects: readonly string[],
): corev1.Taint | undefined {
  if (taints === undefined) return undefined;
  for (const taint of taints) {
    if (!effects.includes(taint.effect)) continue;
    if (!(tolerations ?? []).some((t) => tolerates(t, taint))) return taint;
  }
  return undefined;
}
