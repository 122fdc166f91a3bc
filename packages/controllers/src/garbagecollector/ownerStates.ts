import {
  ApiError,
  hasFinalizer,
  type ApiClient,
  type KubeObject,
  type metav1,
  type ResourceRef,
} from '@tugboat/core';

/**
 * What became of an owner: `solid` (exists), `waiting` (exists, deleting in the foreground),
 * `dangling` (gone, or replaced by an object with another uid), `unknown` (its kind is not served).
 */
export type OwnerState = 'solid' | 'waiting' | 'dangling' | 'unknown';

/**
 * The state of each owner, by uid, read live from the API rather than from a cache: deleting a
 * dependent because a lagging cache has not seen its owner yet would be irreversible.
 */
export async function ownerStates(
  api: ApiClient,
  owners: readonly metav1.OwnerReference[],
  namespace: string | undefined,
  resolve: (ref: metav1.OwnerReference) => ResourceRef | undefined,
): Promise<Map<string, OwnerState>> {
  const states = new Map<string, OwnerState>();
  for (const ref of owners) {
    const def = resolve(ref);
    if (def === undefined) {
      states.set(ref.uid, 'unknown');
      continue;
    }
    try {
      const owner = await api.get(def, ref.name, def.namespaced && namespace ? { namespace } : {});
      if (owner.metadata?.uid !== ref.uid) states.set(ref.uid, 'dangling');
      else if (owner.metadata.deletionTimestamp && hasFinalizer(owner, 'foregroundDeletion'))
        states.set(ref.uid, 'waiting');
      else states.set(ref.uid, 'solid');
    } catch (err) {
      if (!ApiError.is(err, 'NotFound')) throw err;
      states.set(ref.uid, 'dangling');
    }
  }
  return states;
}

/** Replaces an object's ownerReferences, conditional on its resourceVersion (a conflict retries the item). */
export async function patchOwners(
  api: ApiClient,
  def: ResourceRef,
  obj: KubeObject,
  ownerReferences: metav1.OwnerReference[],
): Promise<void> {
  const meta = obj.metadata ?? {};
  await api
    .patch(
      def,
      meta.name ?? '',
      'merge',
      { metadata: { resourceVersion: meta.resourceVersion, ownerReferences } },
      meta.namespace ? { namespace: meta.namespace } : {},
    )
    .catch((err: unknown) => {
      if (!ApiError.is(err, 'NotFound')) throw err;
    });
}

/** Removes a finalizer from the live object (re-read, so a stale cache cannot drop other finalizers). */
export async function removeFinalizerLive(
  api: ApiClient,
  def: ResourceRef,
  obj: KubeObject,
  finalizer: string,
): Promise<void> {
  const meta = obj.metadata ?? {};
  const options = meta.namespace ? { namespace: meta.namespace } : {};
  try {
    const live = await api.get(def, meta.name ?? '', options);
    if (live.metadata?.uid !== meta.uid || !hasFinalizer(live, finalizer)) return;
    const finalizers = (live.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    await api.patch(
      def,
      meta.name ?? '',
      'merge',
      { metadata: { resourceVersion: live.metadata?.resourceVersion, finalizers } },
      options,
    );
  } catch (err) {
    if (!ApiError.is(err, 'NotFound')) throw err;
  }
}
