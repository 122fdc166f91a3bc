import type { KubeObject } from './KubeObject.js';

/** Whether the object has a `deletionTimestamp`, i.e. is waiting on finalizers or grace. */
export function isBeingDeleted(obj: KubeObject): boolean {
  return typeof obj.metadata?.deletionTimestamp === 'string' && obj.metadata.deletionTimestamp !== '';
}

/** Whether the object carries the finalizer. */
export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

/** A copy of the object with the finalizer appended; the object itself when it already has it. */
export function addFinalizer<T extends KubeObject>(obj: T, finalizer: string): T {
  if (hasFinalizer(obj, finalizer)) return obj;
  return {
    ...obj,
    metadata: { ...obj.metadata, finalizers: [...(obj.metadata?.finalizers ?? []), finalizer] },
  };
}

/** A copy of the object without the finalizer; the object itself when it does not have it. */
export function removeFinalizer<T extends KubeObject>(obj: T, finalizer: string): T {
  if (!hasFinalizer(obj, finalizer)) return obj;
  const finalizers = (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
  return { ...obj, metadata: { ...obj.metadata, finalizers } };
}
