/**
 * How strategic merge patch treats one field, as declared upstream by the `patchStrategy` and
 * `patchMergeKey` struct tags of the built-in types. Fields not listed are plain: maps merge
 * recursively, lists are replaced.
 */
export interface FieldPatchMeta {
  /** The struct type of the field (or of the list's elements), if it has patch metadata of its own. */
  readonly type?: string;
  /** Merge a list instead of replacing it. */
  readonly merge?: boolean;
  /** The key identifying list elements when merging a list of objects. */
  readonly mergeKey?: string;
  /** The map takes `$retainKeys` (union types such as a volume source or a deployment strategy). */
  readonly retainKeys?: boolean;
}

/** Struct type name → its fields with patch metadata. */
export type PatchSchema = Readonly<Record<string, Readonly<Record<string, FieldPatchMeta>>>>;

const conditions: FieldPatchMeta = { merge: true, mergeKey: 'type' };

/**
 * The patch metadata of the built-in types Tugboat serves (facts of the Kubernetes API: the merge
 * keys and strategies of k8s.io/api), by struct type.
 */
export const builtinPatchSchema: PatchSchema = {
  ObjectMeta: {
    finalizers: { merge: true },
    ownerReferences: { merge: true, mergeKey: 'uid' },
  },
  PodTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodSpec' } },
  PodSpec: {
    volumes: { type: 'Volume', merge: true, mergeKey: 'name', retainKeys: true },
    initContainers: { type: 'Container', merge: true, mergeKey: 'name' },
    containers: { type: 'Container', merge: true, mergeKey: 'name' },
    ephemeralContainers: { type: 'Container', merge: true, mergeKey: 'name' },
    imagePullSecrets: { merge: true, mergeKey: 'name' },
    hostAliases: { merge: true, mergeKey: 'ip' },
    topologySpreadConstraints: { merge: true, mergeKey: 'topologyKey' },
    resourceClaims: { merge: true, mergeKey: 'name', retainKeys: true },
    schedulingGates: { merge: true, mergeKey: 'name' },
  },
  Container: {
    ports: { merge: true, mergeKey: 'containerPort' },
    env: { merge: true, mergeKey: 'name' },
    volumeMounts: { merge: true, mergeKey: 'mountPath' },
    volumeDevices: { merge: true, mergeKey: 'devicePath' },
  },
  Volume: {},
  PodStatus: {
    conditions,
    podIPs: { merge: true, mergeKey: 'ip' },
    hostIPs: { merge: true, mergeKey: 'ip' },
  },
  Pod: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodSpec' }, status: { type: 'PodStatus' } },
  PodTemplate: { metadata: { type: 'ObjectMeta' }, template: { type: 'PodTemplateSpec' } },
  Deployment: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'DeploymentSpec' },
    status: { type: 'WorkloadStatus' },
  },
  DeploymentSpec: { template: { type: 'PodTemplateSpec' }, strategy: { retainKeys: true } },
  ReplicaSet: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'ReplicaSetSpec' },
    status: { type: 'WorkloadStatus' },
  },
  ReplicaSetSpec: { template: { type: 'PodTemplateSpec' } },
  DaemonSet: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'DaemonSetSpec' },
    status: { type: 'WorkloadStatus' },
  },
  DaemonSetSpec: { template: { type: 'PodTemplateSpec' }, updateStrategy: { retainKeys: true } },
  StatefulSet: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'StatefulSetSpec' },
    status: { type: 'WorkloadStatus' },
  },
  StatefulSetSpec: { template: { type: 'PodTemplateSpec' } },
  Job: { metadata: { type: 'ObjectMeta' }, spec: { type: 'JobSpec' }, status: { type: 'WorkloadStatus' } },
  JobSpec: { template: { type: 'PodTemplateSpec' } },
  WorkloadStatus: { conditions },
  Service: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'ServiceSpec' },
    status: { type: 'ConditionedStatus' },
  },
  ServiceSpec: { ports: { merge: true, mergeKey: 'port' } },
  ConditionedStatus: { conditions },
  Node: { metadata: { type: 'ObjectMeta' }, spec: { type: 'NodeSpec' }, status: { type: 'NodeStatus' } },
  NodeSpec: { podCIDRs: { merge: true } },
  NodeStatus: { conditions, addresses: { merge: true, mergeKey: 'type' } },
  Namespace: { metadata: { type: 'ObjectMeta' }, status: { type: 'ConditionedStatus' } },
  ServiceAccount: { metadata: { type: 'ObjectMeta' }, secrets: { merge: true, mergeKey: 'name' } },
  HorizontalPodAutoscaler: { metadata: { type: 'ObjectMeta' }, status: { type: 'ConditionedStatus' } },
  Generic: { metadata: { type: 'ObjectMeta' } },
};

/** The root struct type of a built-in kind (every kind at least gets `ObjectMeta`'s metadata). */
export function rootTypeOf(kind: string): string {
  return kind in builtinPatchSchema ? kind : 'Generic';
}
