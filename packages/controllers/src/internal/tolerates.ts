import type { corev1 } from '@tugboat/core';

/** Whether a toleration tolerates a taint, as upstream's `Toleration.ToleratesTaint`. */
export function tolerates(t: corev1.Toleration, taint: corev1.Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}
