import { metaTime, jsonEqual, apiVersionOf, type KubeObject, type ResourceDefinition } from '@tugboat/core';

import type { RequestContext } from '../registry/RequestContext.js';
import { metaOf } from '../internal/mutable.js';
import { applyRootOf } from './applySchema.js';
import { compareObjects } from './compareObjects.js';
import { FieldSet } from './FieldSet.js';
import { fieldsOf } from './fieldsOf.js';
import { decodeManagedFields, decodeStoredManagedFields, encodeManagedFields } from './ManagedFields.js';
import { recordUpdate } from './recordUpdate.js';

/**
 * Records the ownership of a non-apply write (create, replace, patch) in `obj`'s managedFields,
 * in place. Upstream records it on every write; Tugboat, to keep the hot write path (controllers,
 * the scheduler, 10k-pod runs) free of field walks, records it only when the object already
 * carries managedFields or the request names a manager (`fieldManager`, or kubectl's user agent).
 * Managed fields sent in the object are taken as the starting point (kubectl migrates client-side
 * apply ownership that way); an empty list clears them; none keeps the stored ones.
 */
export function trackManagedFields(
  ctx: RequestContext,
  def: ResourceDefinition,
  obj: KubeObject,
  old: KubeObject | undefined,
  subresource?: string,
): void {
  const meta = metaOf(obj);
  const sent = meta.managedFields;
  if (sent !== undefined && sent.length === 0) {
    delete meta.managedFields;
    return;
  }
  const named = explicitManager(ctx);
  const base = sent ?? old?.metadata?.managedFields;
  if (named === undefined && (base === undefined || base.length === 0)) return;
  const stored = old?.metadata?.managedFields;
  // What the client sent must be valid; what was stored is reset if it no longer is.
  const owners =
    sent === undefined || (stored !== undefined && jsonEqual(sent, stored))
      ? decodeStoredManagedFields(base)
      : decodeManagedFields(base);
  const rootType = applyRootOf(def);
  const changes =
    old === undefined
      ? { changed: fieldsOf(obj, rootType), removed: FieldSet.empty }
      : compareObjects(old, obj, rootType);
  const next = recordUpdate(owners, changes, {
    manager: named ?? defaultManager(ctx),
    apiVersion: apiVersionOf(def),
    time: metaTime(),
    ...(subresource !== undefined ? { subresource } : {}),
  });
  const entries = encodeManagedFields(next);
  if (entries.length > 0) meta.managedFields = entries;
  else delete meta.managedFields;
}

/** The manager a request names: `fieldManager`, or kubectl's user agent product. */
function explicitManager(ctx: RequestContext): string | undefined {
  if (ctx.fieldManager !== undefined && ctx.fieldManager !== '') return ctx.fieldManager;
  const product = productOf(ctx.userAgent);
  return product?.startsWith('kubectl') ? product : undefined;
}

/** Upstream's default manager: the user agent's product name; in process, the user. */
function defaultManager(ctx: RequestContext): string {
  return productOf(ctx.userAgent) ?? ctx.user.name;
}

function productOf(userAgent: string | undefined): string | undefined {
  const product = userAgent?.split('/')[0]?.trim();
  return product === undefined || product === '' ? undefined : product.slice(0, 128);
}
