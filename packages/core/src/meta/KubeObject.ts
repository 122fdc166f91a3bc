import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/** Any Kubernetes object: the built-in types from `kubernetes-types` and custom kinds alike. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** A custom object (a CRD instance) or any object read without a static type. */
export interface UnstructuredObject extends KubeObject {
  [field: string]: unknown;
}

/** A Kubernetes list (`PodList`, …) with its list metadata. */
export interface ObjectList<T> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: T[];
}
