import { resources, type ResourceRef } from '@tugboat/core';

const statefulSets: ResourceRef = {
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  plural: 'statefulsets',
  namespaced: true,
};
const replicationControllers: ResourceRef = {
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  plural: 'replicationcontrollers',
  namespaced: true,
};

const byGroupKind: ReadonlyMap<string, ResourceRef> = new Map([
  ['apps/Deployment', resources.Deployments],
  ['apps/ReplicaSet', resources.ReplicaSets],
  ['apps/StatefulSet', statefulSets],
  ['/ReplicationController', replicationControllers],
]);

/**
 * The resource whose `scale` subresource an HPA's `scaleTargetRef` (group and kind) addresses:
 * Deployments, ReplicaSets, and StatefulSets and ReplicationControllers where a server serves them.
 * `undefined` for any other kind.
 */
export function scaleTargetResource(group: string, kind: string): ResourceRef | undefined {
  return byGroupKind.get(`${group}/${kind}`);
}
