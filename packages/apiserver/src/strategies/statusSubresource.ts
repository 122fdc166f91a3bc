import type { KubeObject } from '@tugboat/core';

import type { Strategy } from '../registry/Strategy.js';

type WithStatus = KubeObject & { status?: unknown };

const envelope = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/**
 * The status-subresource half of a strategy: create clears `status` (or sets the initial status
 * upstream sets, e.g. a Pod's `Pending`), a main-resource update keeps the old `status`, and a
 * status update keeps everything of the old object but `status` and `metadata`.
 */
export function statusSubresource<T extends WithStatus>(
  initialStatus?: (object: T) => T['status'],
): Required<Pick<Strategy<T>, 'prepareForCreate' | 'prepareForUpdate' | 'prepareForStatusUpdate'>> {
  return {
    prepareForCreate(object: T): void {
      const status = initialStatus?.(object);
      if (status === undefined) delete object.status;
      else object.status = status;
    },
    prepareForUpdate(object: T, old: T): void {
      if (old.status === undefined) delete object.status;
      else object.status = structuredClone(old.status);
    },
    prepareForStatusUpdate(object: T, old: T): void {
      const target = object as Record<string, unknown>;
      const source = old as Record<string, unknown>;
      for (const key of Object.keys(target))
        if (!envelope.has(key) && !(key in source)) Reflect.deleteProperty(target, key);
      // `old` is the registry's own parse of the stored object for this write: shared, not copied.
      for (const [key, value] of Object.entries(source)) {
        if (!envelope.has(key)) target[key] = value;
      }
    },
  };
}
