import { metaTime, ApiError, apiVersionOf, type KubeObject, type ResourceDefinition } from '@tugboat/core';

import { asApiError } from '../internal/codec.js';
import type { RegistryCore } from '../internal/RegistryCore.js';
import type { RequestContext } from '../registry/RequestContext.js';
import { applyConfiguration } from './applyConfiguration.js';
import { applyRootOf } from './applySchema.js';
import { isMap } from './fieldsOf.js';

/** Options of one server-side apply request. */
export interface ServerSideApplyOptions {
  /** Take ownership of fields other managers hold with other values (`force=true`). */
  readonly force?: boolean;
  /** `status` to apply to the status subresource. */
  readonly subresource?: string;
}

/** What {@link serverSideApply} returns: the object and whether the apply created it. */
export interface ServerSideApplyResult {
  readonly object: KubeObject;
  readonly created: boolean;
}

/**
 * Serves one server-side apply (`PATCH` with `application/apply-patch+yaml`): checks the applied
 * configuration against the request, creates the object when it does not exist, and otherwise
 * merges the configuration into it through the ordinary update path (defaults, admission,
 * validation, dry-run). `ctx.fieldManager` is required.
 */
export async function serverSideApply(
  core: RegistryCore,
  ctx: RequestContext,
  def: ResourceDefinition,
  name: string,
  body: unknown,
  options: ServerSideApplyOptions = {},
): Promise<ServerSideApplyResult> {
  const manager = ctx.fieldManager;
  if (manager === undefined || manager === '') {
    throw new ApiError('BadRequest', 'fieldManager is required for apply requests');
  }
  const { subresource } = options;
  const config = configurationOf(def, name, body, subresource);
  const ns = core.namespaceOf(def, ctx, config);
  const apply = (live: KubeObject | undefined): KubeObject =>
    applyConfiguration(live, config, {
      manager,
      force: options.force === true,
      apiVersion: apiVersionOf(def),
      rootType: applyRootOf(def),
      time: metaTime(),
      ...(subresource !== undefined ? { subresource } : {}),
    });
  const pinned = (config['metadata'] as { resourceVersion?: unknown }).resourceVersion !== undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const object = await core.update(ctx, def, ns, name, {
        mode: subresource === 'status' ? 'status' : 'main',
        ...(subresource !== undefined ? { subresource } : {}),
        retry: !pinned,
        applied: true,
        produce: apply,
      });
      return { object, created: false };
    } catch (err) {
      if (!ApiError.is(err, 'NotFound') || subresource !== undefined) throw asApiError(err);
    }
    // Upstream creates the object an apply names when it does not exist yet.
    try {
      return { object: await core.create(ctx, def, apply(undefined), { applied: true }), created: true };
    } catch (err) {
      if (!ApiError.is(err, 'AlreadyExists') || attempt > 3) throw asApiError(err);
    }
  }
}

/**
 * The applied configuration, checked: an object with the URL's apiVersion and kind, the URL's
 * name; nulls dropped; what the write may not set (managedFields, status on the main resource,
 * all but status on the status subresource) left out, as upstream resets those fields.
 */
function configurationOf(
  def: ResourceDefinition,
  name: string,
  body: unknown,
  subresource: string | undefined,
): Record<string, unknown> {
  if (!isMap(body)) throw new ApiError('BadRequest', 'the applied configuration must be an object');
  const expected = apiVersionOf(def);
  if (body['apiVersion'] !== expected) {
    throw new ApiError(
      'BadRequest',
      `the API version in the data (${JSON.stringify(body['apiVersion'] ?? '')}) does not match the expected API version (${expected})`,
    );
  }
  if (body['kind'] !== def.kind) {
    throw new ApiError(
      'BadRequest',
      `the kind in the data (${JSON.stringify(body['kind'] ?? '')}) does not match the expected kind (${def.kind})`,
    );
  }
  const rawMeta = body['metadata'] ?? {};
  if (!isMap(rawMeta)) throw new ApiError('BadRequest', 'metadata: must be an object');
  if (rawMeta['name'] !== undefined && rawMeta['name'] !== name) {
    throw new ApiError(
      'BadRequest',
      `the name of the object (${JSON.stringify(rawMeta['name'])}) does not match the name on the URL (${name})`,
    );
  }
  const config = withoutNulls(body) as Record<string, unknown>;
  const meta: Record<string, unknown> = {
    ...(config['metadata'] as Record<string, unknown> | undefined),
    name,
  };
  delete meta['managedFields'];
  config['metadata'] = meta;
  if (subresource === 'status') {
    const status = config['status'];
    const { namespace, resourceVersion } = meta;
    return {
      apiVersion: expected,
      kind: def.kind,
      metadata: {
        name,
        ...(namespace !== undefined ? { namespace } : {}),
        ...(resourceVersion !== undefined ? { resourceVersion } : {}),
      },
      ...(status !== undefined ? { status } : {}),
    };
  }
  if (def.subresources.includes('status')) delete config['status'];
  return config;
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isMap(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}
