import {
  ApiError,
  errors,
  type DeleteOptions,
  type KubeObject,
  type ResourceDefinition,
  type Status,
  jsonEqual,
} from '@tugboat/core';

import type { RequestContext } from '../registry/RequestContext.js';
import { decode, storageKey } from './codec.js';
import { planDeletion } from './deletion.js';
import type { RegistryCore } from './RegistryCore.js';

/**
 * The delete verb: preconditions, admission, then either removal now or a stored deletion mark
 * (see {@link planDeletion}). Returns the object when it stays or for pods, a Success Status
 * otherwise, as upstream.
 */
export async function deleteObject(
  core: RegistryCore,
  ctx: RequestContext,
  def: ResourceDefinition,
  name: string,
  options: DeleteOptions,
): Promise<KubeObject | Status> {
  const ns = core.namespaceOf(def, ctx);
  const dry = ctx.dryRun === true || options.dryRun === true;
  for (let attempt = 0; ; attempt++) {
    const cur = await core.read(def, ns, name);
    const old = decode(def, cur);
    checkPreconditions(def, old, options);
    await core.admit(ctx, 'mutating', 'DELETE', def, undefined, old);
    await core.admit(ctx, 'validating', 'DELETE', def, undefined, old);
    const plan = planDeletion(def, old, options);
    const key = storageKey(def, ns, name);
    try {
      if (plan.remove) {
        const gone = dry ? old : await core.remove(def, key, cur.modRevision, name);
        return def.group === '' && def.plural === 'pods' ? gone : success(def, gone);
      }
      if (dry || jsonEqual(plan.object, old)) return plan.object;
      return await core.markDeleting(def, key, cur.modRevision, plan.object);
    } catch (err) {
      // A concurrent write moved the object on; decide again on the fresh copy.
      if (!(
        ApiError.is(err, 'Conflict') &&
        attempt < 100 &&
        options.preconditions?.resourceVersion === undefined
      ))
        throw err;
    }
  }
}

/** Whether a delete answered with a Status rather than the object. */
export function isStatus(value: KubeObject | Status): value is Status {
  return value.kind === 'Status' && (value as { status?: unknown }).status !== undefined;
}

function checkPreconditions(def: ResourceDefinition, obj: KubeObject, options: DeleteOptions): void {
  const pre = options.preconditions;
  const name = obj.metadata?.name ?? '';
  if (pre?.uid !== undefined && pre.uid !== obj.metadata?.uid) {
    throw errors.conflict(
      def.plural,
      name,
      def.group,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata?.uid ?? ''}`,
    );
  }
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== obj.metadata?.resourceVersion) {
    throw errors.conflict(
      def.plural,
      name,
      def.group,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata?.resourceVersion ?? ''}`,
    );
  }
}

function success(def: ResourceDefinition, obj: KubeObject): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: obj.metadata?.name ?? '',
      group: def.group,
      kind: def.plural,
      ...(obj.metadata?.uid ? { uid: obj.metadata.uid } : {}),
    },
  };
}
