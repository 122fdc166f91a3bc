import {
  ApiError,
  apiVersionOf,
  errors,
  type KeyValue,
  type KubeObject,
  type Logger,
  type ResourceDefinition,
  type StatusCause,
  type Store,
  jsonEqual,
} from '@tugboat/core';

import { trackManagedFields } from '../apply/trackManagedFields.js';
import { runAdmission, type AdmissionOperation, type AdmissionPlugin } from '../admission/AdmissionPlugin.js';
import type { CrdManager } from '../crd/CrdManager.js';
import type { RequestContext } from '../registry/RequestContext.js';
import type { ResourceRegistry } from '../registry/ResourceRegistry.js';
import { resourceKey } from '../registry/resourceKey.js';
import type { Strategy } from '../registry/Strategy.js';
import { clone, decode, encode, storageKey, translate } from './codec.js';
import { shouldDeleteDuringUpdate } from './deletion.js';
import { KindHooks } from './KindHooks.js';
import { metaOf } from './mutable.js';
import { defaultSpecOf, fillCreateMeta, resetUpdateMeta, validateObjectMeta } from './objectMeta.js';
import { checkKind, context, invalid, merge } from './writeChecks.js';
import { finishWritten, rememberWritten } from './writtenObjects.js';

/** How an update treats the incoming object. */
export type UpdateMode =
  /** The main resource: status is kept from the stored object. */
  | 'main'
  /** The status subresource: only status changes. */
  | 'status'
  /** A subresource that writes the object as produced (binding, finalize), bypassing the strategy. */
  | 'raw';

/** One update: how to produce the new object from the stored one, and how to treat it. */
export interface UpdateRequest {
  readonly mode: UpdateMode;
  readonly subresource?: string;
  /** Retry on a concurrent write instead of failing with Conflict (patch, scale without a version). */
  readonly retry?: boolean;
  /** The produced object is a server-side apply result carrying its own managedFields. */
  readonly applied?: boolean;
  /** `produce` ignores the stored object and returns a replacement (update): it gets no copy. */
  readonly replaces?: boolean;
  produce(old: KubeObject): KubeObject;
}

/** What a status write takes of a produced object: its envelope and a copy of its status. */
function shallowWithStatus(produced: KubeObject): KubeObject {
  const status = (produced as { status?: unknown }).status;
  return {
    ...produced,
    metadata: clone(produced.metadata ?? {}),
    ...(status !== undefined ? { status: clone(status) } : {}),
  };
}

/**
 * The write path shared by every verb: namespace resolution, strategy hooks, metadata rules,
 * validation, admission, dry-run and the store write. {@link Registry} is its public face.
 */
export class RegistryCore {
  constructor(
    readonly store: Store,
    readonly resources: ResourceRegistry,
    readonly crds: CrdManager,
    readonly strategies: ReadonlyMap<string, Strategy>,
    readonly admission: readonly AdmissionPlugin[],
    readonly logger: Logger,
  ) {
    this.hooks = new KindHooks(crds, store, logger);
  }

  private readonly hooks: KindHooks;

  /** The strategy of a resource: the CRD schema strategy, the built-in one, or none. */
  strategyOf(def: ResourceDefinition): Strategy {
    return this.crds.strategyFor(def) ?? this.strategies.get(resourceKey(def)) ?? {};
  }

  /** The namespace a request addresses; URL and body must agree. Undefined for cluster scope. */
  namespaceOf(def: ResourceDefinition, ctx: RequestContext, body?: KubeObject): string | undefined {
    if (!def.namespaced) return undefined;
    const fromBody = body?.metadata?.namespace;
    if (ctx.namespace && fromBody && ctx.namespace !== fromBody) {
      throw new ApiError(
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const ns = ctx.namespace || fromBody;
    if (!ns)
      throw new ApiError(
        'BadRequest',
        `a namespace is required for the namespaced resource ${resourceKey(def)}`,
      );
    return ns;
  }

  /** The stored key-value of an object; `NotFound` when absent. */
  async read(def: ResourceDefinition, ns: string | undefined, name: string): Promise<KeyValue> {
    const kv = await translate(() => this.store.get(storageKey(def, ns, name)));
    if (kv === undefined) throw errors.notFound(def.plural, name, def.group);
    return kv;
  }

  /** Creates an object through defaulting, admission, validation and the store. */
  async create(
    ctx: RequestContext,
    def: ResourceDefinition,
    body: KubeObject,
    options: { readonly applied?: boolean } = {},
  ): Promise<KubeObject> {
    const obj = clone(body);
    checkKind(def, obj);
    const ns = this.namespaceOf(def, ctx, obj);
    obj.metadata = { ...(obj.metadata ?? {}), ...(ns !== undefined ? { namespace: ns } : {}) };
    const strategy = this.strategyOf(def);
    strategy.applyDefaults?.(obj);
    fillCreateMeta(def, obj, apiVersionOf(def));
    await this.admit(ctx, 'mutating', 'CREATE', def, obj);
    if (strategy.prepareForCreate) strategy.prepareForCreate(obj);
    else if (def.subresources.includes('status')) delete (obj as { status?: unknown }).status;
    this.hooks.onCreate(def, obj);
    this.checkUnknownFields(ctx, strategy, obj);
    if (!options.applied) trackManagedFields(ctx, def, obj, undefined);
    const causes = merge(validateObjectMeta(def, obj), [
      ...(strategy.validate?.(obj, context(ns)) ?? []),
      ...this.hooks.validate(def, obj),
    ]);
    if (causes.length > 0) throw invalid(def, obj, causes);
    await this.admit(ctx, 'validating', 'CREATE', def, obj);
    if (ctx.dryRun) return obj;
    const name = obj.metadata.name ?? '';
    const key = storageKey(def, ns, name);
    const value = encode(obj);
    rememberWritten(key, value, obj);
    const kv = await translate(async () => {
      try {
        return await this.store.create(key, value);
      } catch (err) {
        if (ApiError.is(err, 'AlreadyExists')) throw errors.alreadyExists(def.plural, name, def.group);
        throw err;
      }
    });
    const created = finishWritten(def, obj, kv);
    this.hooks.afterWrite(def, created);
    return created;
  }

  /** Updates an object: reads it, produces the new one, and writes it back with compare-and-swap. */
  async update(
    ctx: RequestContext,
    def: ResourceDefinition,
    ns: string | undefined,
    name: string,
    req: UpdateRequest,
  ): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.read(def, ns, name);
      try {
        return await this.updateOnce(ctx, def, ns, name, cur, req);
      } catch (err) {
        if (!(
          req.retry &&
          attempt < 100 &&
          ApiError.is(err, 'Conflict') &&
          (err as ApiError & { retryable?: boolean }).retryable
        ))
          throw err;
      }
    }
  }

  private async updateOnce(
    ctx: RequestContext,
    def: ResourceDefinition,
    ns: string | undefined,
    name: string,
    cur: KeyValue,
    req: UpdateRequest,
  ): Promise<KubeObject> {
    const old = decode(def, cur);
    // `produce` gets a private copy to change (unless it only hands back a replacement); what it
    // returns is copied only when it is not that copy (an update's body is reused by a retry, so it
    // must stay as the caller sent it), and for a status write only its status is taken.
    const draft = req.replaces === true ? undefined : clone(old);
    const produced = req.produce(draft ?? old);
    const incoming =
      produced === draft ? draft : req.mode === 'status' ? shallowWithStatus(produced) : clone(produced);
    checkKind(def, incoming);
    if (ns !== undefined && incoming.metadata?.namespace && incoming.metadata.namespace !== ns) {
      throw new ApiError(
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const rv = incoming.metadata?.resourceVersion;
    if (rv !== undefined && rv !== String(cur.modRevision))
      throw errors.conflict(def.plural, name, def.group);
    const strategy = this.strategyOf(def);
    let obj: KubeObject;
    if (req.mode === 'status') {
      // `old` is this write's own parse, used for nothing else: the new object shares its fields.
      obj = { ...old, metadata: clone(old.metadata ?? {}) };
      const status = (incoming as { status?: unknown }).status;
      if (status === undefined) delete (obj as { status?: unknown }).status;
      else (obj as { status?: unknown }).status = status;
      const managed = incoming.metadata?.managedFields;
      if (req.applied && managed !== undefined) metaOf(obj).managedFields = managed;
      strategy.prepareForStatusUpdate?.(obj, old, context(ns, req.subresource));
    } else {
      obj = incoming;
      if (req.mode === 'main') {
        strategy.applyDefaults?.(obj);
        if (def.subresources.includes('status')) {
          const status = (old as { status?: unknown }).status;
          if (status === undefined) delete (obj as { status?: unknown }).status;
          else (obj as { status?: unknown }).status = clone(status);
        }
        strategy.prepareForUpdate?.(obj, old);
      }
    }
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    obj.metadata = { ...(obj.metadata ?? {}), name, ...(ns !== undefined ? { namespace: ns } : {}) };
    const metaCauses = resetUpdateMeta(obj, old);
    if (req.mode === 'main') {
      const specOf = (o: KubeObject): unknown => (strategy.specOf ? strategy.specOf(o) : defaultSpecOf(o));
      if (!jsonEqual(specOf(obj), specOf(old))) metaOf(obj).generation = (old.metadata?.generation ?? 0) + 1;
    }
    await this.admit(ctx, 'mutating', 'UPDATE', def, obj, old, req.subresource);
    if (req.mode === 'main') this.hooks.onUpdate(def, obj, old);
    if (req.mode !== 'raw') this.checkUnknownFields(ctx, strategy, obj);
    if (req.mode !== 'raw' && !req.applied) trackManagedFields(ctx, def, obj, old, req.subresource);
    const causes = merge(
      [...metaCauses, ...validateObjectMeta(def, obj)],
      [
        ...(req.mode === 'raw' ? [] : this.validateUpdate(strategy, obj, old, context(ns, req.subresource))),
        ...(req.mode === 'main' ? this.hooks.validate(def, obj, old) : []),
      ],
    );
    if (causes.length > 0) throw invalid(def, obj, causes);
    await this.admit(ctx, 'validating', 'UPDATE', def, obj, old, req.subresource);
    metaOf(obj).resourceVersion = String(cur.modRevision);
    const key = storageKey(def, ns, name);
    if (shouldDeleteDuringUpdate(def, obj, old)) {
      if (ctx.dryRun) return obj;
      const kv = await this.cas(() => this.store.delete(key, cur.modRevision), def, name);
      const gone = decode(def, { ...kv, value: encode(obj) });
      await this.hooks.afterDelete(def, gone);
      return gone;
    }
    if (ctx.dryRun || jsonEqual(obj, old)) return obj;
    const value = encode(obj);
    rememberWritten(key, value, obj);
    const kv = await this.cas(() => this.store.update(key, value, cur.modRevision), def, name);
    const updated = finishWritten(def, obj, kv);
    this.hooks.afterWrite(def, updated);
    return updated;
  }

  /** Removes an object from the store now (after admission and preconditions were checked). */
  async remove(def: ResourceDefinition, key: string, revision: number, name: string): Promise<KubeObject> {
    const kv = await this.cas(() => this.store.delete(key, revision), def, name);
    const gone = decode(def, kv);
    await this.hooks.afterDelete(def, gone);
    return gone;
  }

  /** Stores an object being deleted (deletionTimestamp, finalizers) with compare-and-swap. */
  async markDeleting(
    def: ResourceDefinition,
    key: string,
    revision: number,
    obj: KubeObject,
  ): Promise<KubeObject> {
    const kv = await this.cas(
      () => this.store.update(key, encode(obj), revision),
      def,
      obj.metadata?.name ?? '',
    );
    return decode(def, kv);
  }

  /** Runs the admission plugins of one phase. */
  async admit(
    ctx: RequestContext,
    phase: 'mutating' | 'validating',
    operation: AdmissionOperation,
    def: ResourceDefinition,
    object: KubeObject | undefined,
    oldObject?: KubeObject,
    subresource?: string,
  ): Promise<void> {
    const meta = object?.metadata ?? oldObject?.metadata;
    await runAdmission(this.admission, phase, {
      operation,
      resource: def,
      name: meta?.name ?? '',
      user: ctx.user,
      dryRun: ctx.dryRun === true,
      ...(def.namespaced && meta?.namespace !== undefined ? { namespace: meta.namespace } : {}),
      ...(object !== undefined ? { object } : {}),
      ...(oldObject !== undefined ? { oldObject } : {}),
      ...(subresource !== undefined ? { subresource } : {}),
    });
  }

  private async cas<T>(write: () => Promise<T>, def: ResourceDefinition, name: string): Promise<T> {
    return translate(async () => {
      try {
        return await write();
      } catch (err) {
        if (ApiError.is(err, 'Conflict'))
          throw Object.assign(errors.conflict(def.plural, name, def.group), { retryable: true });
        if (ApiError.is(err, 'NotFound')) throw errors.notFound(def.plural, name, def.group);
        throw err;
      }
    });
  }

  private validateUpdate(
    strategy: Strategy,
    obj: KubeObject,
    old: KubeObject,
    ctx: { namespace?: string; subresource?: string },
  ): StatusCause[] {
    if (strategy.validateUpdate) return strategy.validateUpdate(obj, old, ctx);
    return strategy.validate?.(obj, ctx) ?? [];
  }

  private checkUnknownFields(ctx: RequestContext, strategy: Strategy, obj: KubeObject): void {
    const unknown = strategy.unknownFields?.(obj) ?? [];
    if (unknown.length > 0 && ctx.fieldValidation === 'Strict') {
      throw new ApiError(
        'BadRequest',
        `strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
      );
    }
  }
}
