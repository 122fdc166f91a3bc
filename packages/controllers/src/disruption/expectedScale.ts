import { controllerOf, type appsv1, type corev1, type ObjectCache } from '@tugboat/core';

/** The caches {@link expectedScale} looks pods' controllers up in. */
export interface ScaleSources {
  readonly replicaSets: ObjectCache<appsv1.ReplicaSet>;
  readonly deployments: ObjectCache<appsv1.Deployment>;
}

/**
 * The replicas the controllers of `pods` ask for, each controller counted once (upstream
 * `getExpectedScale`): a ReplicaSet counts its Deployment's replicas when a Deployment owns it.
 * A string says which pod has no controller whose scale is known; the budget then allows nothing.
 */
export function expectedScale(pods: readonly corev1.Pod[], sources: ScaleSources): number | string {
  const scales = new Map<string, number>();
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? '';
    const ref = controllerOf(pod);
    if (ref === undefined) return `found no controller ref for pod "${name}"`;
    if (scales.has(ref.uid)) continue;
    if (ref.kind !== 'ReplicaSet' || !ref.apiVersion.startsWith('apps/'))
      return `found no controllers for pod "${name}"`;
    const rs = sources.replicaSets.get(ref.name, namespace);
    if (rs?.metadata?.uid !== ref.uid) return `found no controllers for pod "${name}"`;
    const owner = controllerOf(rs);
    if (owner?.kind === 'Deployment') {
      const d = sources.deployments.get(owner.name, namespace);
      if (d?.metadata?.uid !== owner.uid) return `found no controllers for pod "${name}"`;
      scales.set(ref.uid, 0);
      scales.set(owner.uid, d.spec?.replicas ?? 1);
    } else {
      scales.set(ref.uid, rs.spec?.replicas ?? 1);
    }
  }
  let total = 0;
  for (const n of scales.values()) total += n;
  return total;
}
