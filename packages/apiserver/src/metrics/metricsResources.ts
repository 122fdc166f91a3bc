import { defineResource, type KubeObject, type metav1 } from '@tugboat/core';

/** `usage` of a container or node: CPU (`12345n`) and memory (`1234Ki`) quantities. */
export interface ResourceUsage {
  cpu: string;
  memory: string;
}

/** `metrics.k8s.io/v1beta1 ContainerMetrics`. */
export interface ContainerMetrics {
  name: string;
  usage: ResourceUsage;
}

/** `metrics.k8s.io/v1beta1 PodMetrics`: the usage of each container of one pod. */
export interface PodMetrics extends KubeObject {
  apiVersion: 'metrics.k8s.io/v1beta1';
  kind: 'PodMetrics';
  metadata: metav1.ObjectMeta;
  /** When the sample was taken (RFC 3339). */
  timestamp: string;
  /** The span the CPU rate covers, as a Go duration (`15s`). */
  window: string;
  containers: ContainerMetrics[];
}

/** `metrics.k8s.io/v1beta1 NodeMetrics`: the usage of one node. */
export interface NodeMetrics extends KubeObject {
  apiVersion: 'metrics.k8s.io/v1beta1';
  kind: 'NodeMetrics';
  metadata: metav1.ObjectMeta;
  timestamp: string;
  window: string;
  usage: ResourceUsage;
}

const readOnly = ['get', 'list'] as const;

/** The `metrics.k8s.io/v1beta1` resources: `pods` (PodMetrics) and `nodes` (NodeMetrics), get and list. */
export const metricsResources = {
  PodMetrics: defineResource<PodMetrics>({
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    kind: 'PodMetrics',
    plural: 'pods',
    singular: '',
    namespaced: true,
    verbs: readOnly,
  }),
  NodeMetrics: defineResource<NodeMetrics>({
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    kind: 'NodeMetrics',
    plural: 'nodes',
    singular: '',
    namespaced: false,
    verbs: readOnly,
  }),
} as const;
