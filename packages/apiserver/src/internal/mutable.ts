import type { KubeObject, metav1 } from '@tugboat/core';

/** `T` without `readonly` (kubernetes-types marks server-owned fields read-only). */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The object's metadata, created when absent, as a writable record for the server to fill. */
export function metaOf(obj: KubeObject): Mutable<metav1.ObjectMeta> {
  return (obj.metadata ??= {});
}
