import {
  ApiError,
  controllerOf,
  ownerReferenceTo,
  resources,
  type ApiClient,
  type corev1,
  type KubeObject,
  type metav1,
  type Selector,
} from '@tugboat/core';

/** Who claims pods: the owner object, its kind, and its selector. */
export interface PodClaimer {
  readonly owner: KubeObject;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly selector: Selector;
}

/**
 * The pods `claimer` controls, after adopting matching orphans and releasing owned pods that no
 * longer match (upstream `PodControllerRefManager.ClaimPods`). An owner being deleted adopts
 * nothing. Adoption and release are patches carrying the pod's uid and resourceVersion as a
 * precondition, so a pod changed meanwhile is simply left for the next reconcile.
 */
export async function claimPods(
  api: ApiClient,
  claimer: PodClaimer,
  pods: readonly corev1.Pod[],
): Promise<corev1.Pod[]> {
  const uid = claimer.owner.metadata?.uid;
  const deleting = Boolean(claimer.owner.metadata?.deletionTimestamp);
  const claimed: corev1.Pod[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    const matches = claimer.selector.matches(pod.metadata?.labels);
    if (ref !== undefined) {
      if (ref.uid !== uid) continue;
      if (matches || deleting) {
        claimed.push(pod);
        continue;
      }
      await patchOwners(
        api,
        pod,
        (pod.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid),
      );
      continue;
    }
    if (!matches || deleting || pod.metadata?.deletionTimestamp) continue;
    const owners = [
      ...(pod.metadata?.ownerReferences ?? []),
      ownerReferenceTo(claimer.owner, claimer.kind, { controller: true, blockOwnerDeletion: true }),
    ];
    const adopted = await patchOwners(api, pod, owners);
    if (adopted !== undefined) claimed.push(adopted);
  }
  return claimed;
}

async function patchOwners(
  api: ApiClient,
  pod: corev1.Pod,
  ownerReferences: metav1.OwnerReference[],
): Promise<corev1.Pod | undefined> {
  const meta = pod.metadata ?? {};
  try {
    return await api.patch(
      resources.Pods,
      meta.name ?? '',
      'merge',
      { metadata: { uid: meta.uid, resourceVersion: meta.resourceVersion, ownerReferences } },
      { namespace: meta.namespace ?? '' },
    );
  } catch (err) {
    if (ApiError.is(err, 'NotFound', 'Conflict')) return undefined;
    throw err;
  }
}
