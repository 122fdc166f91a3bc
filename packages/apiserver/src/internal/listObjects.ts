import {
  ApiError,
  apiVersionOf,
  type KubeObject,
  type ListOptions,
  type ObjectList,
  type ResourceDefinition,
} from '@tugboat/core';

import type { RequestContext } from '../registry/RequestContext.js';
import { decode, storagePrefix, translate } from './codec.js';
import type { RegistryCore } from './RegistryCore.js';
import { selection } from './selection.js';

/**
 * The list verb: one store page (limit/continue pass through to the store, `Exact` reads at a past
 * revision) filtered by the label and field selectors, across namespaces when none is given.
 */
export async function listObjects(
  core: RegistryCore,
  ctx: RequestContext,
  def: ResourceDefinition,
  options: ListOptions,
): Promise<ObjectList<KubeObject>> {
  const sel = selection(def, core.strategyOf(def), options.labelSelector, options.fieldSelector);
  const prefix = storagePrefix(def, def.namespaced ? ctx.namespace || undefined : undefined);
  const revision =
    options.resourceVersionMatch === 'Exact' ? parseVersion(options.resourceVersion) : undefined;
  const page = await translate(
    () =>
      core.store.list(prefix, {
        ...(options.limit !== undefined && options.limit > 0 ? { limit: options.limit } : {}),
        ...(options.continue ? { continue: options.continue } : {}),
        ...(revision !== undefined ? { revision } : {}),
      }),
    'BadRequest',
  );
  const items = page.items.map((kv) => decode(def, kv)).filter((o) => sel.matches(o));
  return {
    apiVersion: apiVersionOf(def),
    kind: def.listKind,
    metadata: {
      resourceVersion: String(page.revision),
      ...(page.continue !== undefined ? { continue: page.continue } : {}),
      ...(page.remaining !== undefined && sel.empty ? { remainingItemCount: page.remaining } : {}),
    },
    items,
  };
}

function parseVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '' || rv === '0') return undefined;
  if (!/^\d+$/.test(rv)) throw new ApiError('BadRequest', `invalid resourceVersion: ${JSON.stringify(rv)}`);
  return Number(rv);
}
