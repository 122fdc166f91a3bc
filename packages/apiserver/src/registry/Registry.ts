import {
  ApiError,
  errors,
  type corev1,
  type schedulingv1,
  type DeleteOptions,
  type KeyValue,
  type KubeObject,
  type ListOptions,
  type Logger,
  type ObjectList,
  type PatchType,
  type ResourceDefinition,
  type Status,
  type Store,
  type WatchEvent,
  type WatchOptions,
} from '@tugboat/core';
import { Observable, type Subscription } from 'rxjs';

import type { AdmissionPlugin } from '../admission/AdmissionPlugin.js';
import type { ApiEndpoint, ComputedResource } from '../http/hooks.js';
import { NamespaceLifecycle } from '../admission/NamespaceLifecycle.js';
import { DefaultTolerationSeconds } from '../admission/DefaultTolerationSeconds.js';
import { Priority } from '../admission/Priority.js';
import { CrdManager } from '../crd/CrdManager.js';
import { asApiError, decode, storagePrefix } from '../internal/codec.js';
import { bootstrap, followCrds } from '../internal/bootstrap.js';
import { deleteObject, isStatus } from '../internal/deleteObject.js';
import { jsonCopy } from '../internal/jsonCopy.js';
import { RegistryCore } from '../internal/RegistryCore.js';
import { listObjects } from '../internal/listObjects.js';
import { selection } from '../internal/selection.js';
import { Subresources } from '../internal/Subresources.js';
import { WatchFanout } from '../internal/WatchFanout.js';
import { watchResource } from '../internal/watchResource.js';
import { applyPatch } from '../patch/applyPatch.js';
import {
  serverSideApply,
  type ServerSideApplyOptions,
  type ServerSideApplyResult,
} from '../apply/serverSideApply.js';
import { builtinStrategies } from '../strategies/index.js';
import type { RequestContext } from './RequestContext.js';
import type { ResourceRegistry } from './ResourceRegistry.js';
import type { Strategy } from './Strategy.js';

/** Options of the {@link Registry}. */
export interface RegistryOptions {
  /** Per-kind strategies keyed by `resourceKey`; the built-in strategies by default. */
  readonly strategies?: ReadonlyMap<string, Strategy>;
  /** Admission plugins run after NamespaceLifecycle and Priority, in order. */
  readonly admissionPlugins?: readonly AdmissionPlugin[];
  /** How often a watch with `allowWatchBookmarks` gets a BOOKMARK (default one minute). */
  readonly bookmarkIntervalMs?: number;
}

/**
 * The generic registry: every API verb on every served resource, with Kubernetes semantics —
 * metadata, resourceVersion from the store, generation, status split, finalizers and graceful
 * deletion, selectors and pagination, watch, subresources, admission, CRDs and dry-run. The
 * in-process client and the HTTP front both call it with a {@link RequestContext}.
 */
export class Registry {
  private readonly core: RegistryCore;
  private readonly subresources: Subresources;
  private readonly bookmarkIntervalMs: number;
  private started: Promise<void> | undefined;
  private crdSync: Subscription | undefined;
  private readonly endpoints: ApiEndpoint[] = [];
  private readonly computed = new Map<string, ComputedResource>();
  /** Per served resource, the one store watch its watches share. */
  private readonly fanouts = new WeakMap<ResourceDefinition, WatchFanout>();

  constructor(
    private readonly store: Store,
    readonly resources: ResourceRegistry,
    logger: Logger,
    options: RegistryOptions = {},
  ) {
    // Every namespaced create reads its namespace (and every pod create its priority class): a
    // stored version is parsed once, keyed by the store's KeyValue, which a new write replaces.
    const parsed = new WeakMap<KeyValue, unknown>();
    const parseOnce = (kv: KeyValue): unknown => {
      let obj = parsed.get(kv);
      if (obj === undefined) {
        obj = JSON.parse(kv.value);
        parsed.set(kv, obj);
      }
      return obj;
    };
    const readOnce = async (key: string): Promise<unknown> => {
      const kv = await this.store.get(key);
      return kv === undefined ? undefined : parseOnce(kv);
    };
    const lifecycle = new NamespaceLifecycle(
      async (name) => (await readOnce(`/core/namespaces/${name}`)) as corev1.Namespace | undefined,
    );
    const priority = new Priority({
      get: async (name) =>
        (await readOnce(`/scheduling.k8s.io/priorityclasses/${name}`)) as
          schedulingv1.PriorityClass | undefined,
      list: async () =>
        (await this.store.list('/scheduling.k8s.io/priorityclasses/')).items.map(
          (kv) => parseOnce(kv) as schedulingv1.PriorityClass,
        ),
    });
    this.core = new RegistryCore(
      store,
      resources,
      new CrdManager(resources),
      options.strategies ?? builtinStrategies,
      [lifecycle, priority, new DefaultTolerationSeconds(), ...(options.admissionPlugins ?? [])],
      logger.child({ component: 'registry' }),
    );
    this.subresources = new Subresources(this.core);
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
  }

  /**
   * Loads the stored CRDs and creates the system namespaces. Every verb waits for it, so calling
   * it is optional; it runs once.
   */
  start(): Promise<void> {
    this.started ??= bootstrap(this.core)
      .then((revision) => {
        this.crdSync = followCrds(this.core, revision);
      })
      .catch((err: unknown) => {
        this.started = undefined;
        throw asApiError(err);
      });
    return this.started;
  }

  /** Reads one object; the caller owns what it gets (built from stored JSON for this call). */
  async get(ctx: RequestContext, def: ResourceDefinition, name: string): Promise<KubeObject> {
    await this.start();
    const computed = this.computedOf(def);
    if (computed !== undefined) return jsonCopy(await computed.get(ctx, name));
    return decode(def, await this.core.read(def, this.core.namespaceOf(def, ctx), name));
  }

  /** Lists objects, across namespaces when the context names none; the caller owns the list. */
  async list(
    ctx: RequestContext,
    def: ResourceDefinition,
    options: ListOptions = {},
  ): Promise<ObjectList<KubeObject>> {
    await this.start();
    const computed = this.computedOf(def);
    if (computed !== undefined) return jsonCopy(await computed.list(ctx, options));
    return listObjects(this.core, ctx, def, options);
  }

  /** Creates an object. */
  async create(ctx: RequestContext, def: ResourceDefinition, body: KubeObject): Promise<KubeObject> {
    await this.start();
    this.writable(def, 'create');
    return this.core.create(ctx, def, body);
  }

  /**
   * Replaces an object (`subresource` `status` replaces only its status). The body's
   * `metadata.resourceVersion` is required and must be current.
   */
  async update(
    ctx: RequestContext,
    def: ResourceDefinition,
    body: KubeObject,
    subresource?: 'status' | 'approval',
  ): Promise<KubeObject> {
    await this.start();
    this.writable(def, 'update');
    if (subresource !== undefined && !def.subresources.includes(subresource))
      throw notServed(def, subresource);
    const name = body.metadata?.name;
    if (!name) {
      throw errors.invalid(
        def.kind,
        '',
        [
          {
            reason: 'FieldValueRequired',
            field: 'metadata.name',
            message: 'Required value: name is required',
          },
        ],
        def.group,
      );
    }
    const ns = this.core.namespaceOf(def, ctx, body);
    // As upstream, an update without a resourceVersion is unconditional: it replaces whatever is
    // stored, retrying internally if a concurrent write wins the compare-and-swap.
    return this.core.update(ctx, def, ns, name, {
      mode: subresource !== undefined ? 'status' : 'main',
      ...(subresource !== undefined ? { subresource } : {}),
      retry: !body.metadata?.resourceVersion,
      replaces: true,
      produce: () => body,
    });
  }

  /** Patches an object (or its `status` or `scale`) with a merge, JSON or strategic merge patch. */
  async patch(
    ctx: RequestContext,
    def: ResourceDefinition,
    name: string,
    type: PatchType,
    patch: unknown,
    subresource?: string,
  ): Promise<KubeObject> {
    await this.start();
    this.writable(def, 'patch');
    if (subresource === 'scale') return this.subresources.patchScale(ctx, def, name, type, patch);
    // `approval` (CSRs) writes part of the status, as `status` does.
    const statusLike = subresource === 'status' || subresource === 'approval';
    if (subresource !== undefined && (!statusLike || !def.subresources.includes(subresource)))
      throw notServed(def, subresource);
    const ns = this.core.namespaceOf(def, ctx);
    let pinned = false;
    return this.core
      .update(ctx, def, ns, name, {
        mode: statusLike ? 'status' : 'main',
        ...(subresource !== undefined ? { subresource } : {}),
        retry: true,
        produce: (old) => {
          const result = applyPatch(old, type, patch, def);
          if (typeof result !== 'object' || result === null || Array.isArray(result)) {
            throw new ApiError('BadRequest', 'the patch did not produce an object');
          }
          const patched = result as KubeObject;
          // A patch that names a resourceVersion is a precondition: no silent retry past it.
          pinned ||= patched.metadata?.resourceVersion !== old.metadata?.resourceVersion;
          return patched;
        },
      })
      .catch((err: unknown) => {
        if (pinned && ApiError.is(err, 'Conflict')) throw err;
        throw asApiError(err);
      });
  }

  /**
   * Server-side apply (`PATCH` with `application/apply-patch+yaml`): merges an applied
   * configuration into the object, or creates it, tracking field ownership in `managedFields`
   * (see {@link serverSideApply}). `ctx.fieldManager` is required.
   */
  async apply(
    ctx: RequestContext,
    def: ResourceDefinition,
    name: string,
    config: unknown,
    options: ServerSideApplyOptions = {},
  ): Promise<ServerSideApplyResult> {
    await this.start();
    this.writable(def, 'patch');
    const { subresource } = options;
    if (subresource !== undefined && subresource !== 'status') throw notServed(def, subresource);
    if (subresource === 'status' && !def.subresources.includes('status')) throw notServed(def, 'status');
    return serverSideApply(this.core, ctx, def, name, config, options);
  }

  /**
   * Deletes an object: at once, or by marking it (deletionTimestamp) while finalizers or a pod's
   * grace period run. Returns the object when it stays or for pods, a Success Status otherwise.
   */
  async delete(
    ctx: RequestContext,
    def: ResourceDefinition,
    name: string,
    options: DeleteOptions = {},
  ): Promise<KubeObject | Status> {
    await this.start();
    this.writable(def, 'delete');
    return deleteObject(this.core, ctx, def, name, options);
  }

  /** Deletes every object a list selects; returns what was deleted or marked. */
  async deleteCollection(
    ctx: RequestContext,
    def: ResourceDefinition,
    listOptions: ListOptions = {},
    options: DeleteOptions = {},
  ): Promise<ObjectList<KubeObject>> {
    this.writable(def, 'deletecollection');
    const all = await this.list(ctx, def, { ...listOptions, limit: 0 });
    const items: KubeObject[] = [];
    for (const obj of all.items) {
      const itemCtx = {
        ...ctx,
        ...(obj.metadata?.namespace !== undefined ? { namespace: obj.metadata.namespace } : {}),
      };
      try {
        const result = await this.delete(itemCtx, def, obj.metadata?.name ?? '', options);
        items.push(isStatus(result) ? obj : result);
      } catch (err) {
        if (!ApiError.is(err, 'NotFound')) throw err;
      }
    }
    return { ...all, metadata: { resourceVersion: all.metadata.resourceVersion }, items };
  }

  /** Watches a resource (see {@link watchResource} for the event semantics). */
  watch(
    ctx: RequestContext,
    def: ResourceDefinition,
    options: WatchOptions = {},
  ): Observable<WatchEvent<KubeObject>> {
    // One Observable rather than an operator chain: with a thousand watches, every hop between
    // the store and the HTTP stream is paid a thousand times per event.
    return new Observable<WatchEvent<KubeObject>>((subscriber) => {
      // A kind that stops being served (its CRD deleted) ends its watches, as upstream.
      const removal = this.resources.changes.subscribe((c) => {
        if (
          c.type === 'removed' &&
          c.definition.group === def.group &&
          c.definition.plural === def.plural &&
          !this.resources.lookup(def.group, def.version, def.plural)
        )
          subscriber.complete();
      });
      subscriber.add(removal);
      this.start()
        .then(() => {
          if (subscriber.closed) return;
          this.writable(def, 'watch');
          const source = watchResource(
            {
              store: this.store,
              fanout: this.fanoutOf(def),
              def,
              prefix: storagePrefix(def, def.namespaced ? ctx.namespace || undefined : undefined),
              selection: selection(
                def,
                this.core.strategyOf(def),
                options.labelSelector,
                options.fieldSelector,
              ),
              bookmarkIntervalMs: this.bookmarkIntervalMs,
            },
            options,
          );
          // The subscriber itself goes in, so events reach the consumer with no hop between.
          source.subscribe(subscriber);
        })
        .catch((err: unknown) => {
          subscriber.error(asApiError(err));
        });
    });
  }

  private fanoutOf(def: ResourceDefinition): WatchFanout {
    let fanout = this.fanouts.get(def);
    if (fanout === undefined) {
      const fields = selection(def, this.core.strategyOf(def));
      fanout = new WatchFanout(this.store, def, storagePrefix(def, undefined), fields.fieldOf);
      this.fanouts.set(def, fanout);
    }
    return fanout;
  }

  /** Stops following CRD changes made through other API servers; the store stays open. */
  close(): void {
    this.crdSync?.unsubscribe();
    this.crdSync = undefined;
  }

  /** GET of a subresource: `status` (the object) or `scale`. */
  async getSubresource(
    ctx: RequestContext,
    def: ResourceDefinition,
    name: string,
    subresource: string,
  ): Promise<unknown> {
    await this.start();
    this.writable(def, 'get');
    return this.subresources.get(ctx, def, name, subresource);
  }

  /**
   * Serves computed subresources (`serviceaccounts/token`, reviews) to in-process callers too, so
   * a component in the same process (a kubelet mounting a projected token) reaches them as a
   * remote client does over HTTP. The HTTP front takes the same endpoints in its options.
   */
  serveEndpoints(endpoints: readonly ApiEndpoint[]): void {
    this.endpoints.push(...endpoints);
  }

  /**
   * Serves read-only resources computed on request (area H: `metrics.k8s.io`): their definitions
   * join the served resources (so discovery lists them), get and list go to them, and every other
   * verb is refused with `MethodNotAllowed`, in process and over HTTP alike.
   */
  serveComputed(resources: readonly ComputedResource[]): void {
    for (const r of resources) {
      this.resources.add(r.definition);
      this.computed.set(computedKey(r.definition), r);
    }
  }

  private computedOf(def: ResourceDefinition): ComputedResource | undefined {
    return this.computed.size === 0 ? undefined : this.computed.get(computedKey(def));
  }

  /** Throws `MethodNotAllowed` when `def` is a computed (read-only) resource. */
  private writable(def: ResourceDefinition, verb: string): void {
    if (this.computedOf(def) === undefined) return;
    throw new ApiError(
      'MethodNotAllowed',
      `${verb} is not supported on ${def.plural}.${def.group}: it is read-only (get, list)`,
      { group: def.group, kind: def.plural },
    );
  }

  /** POST to a subresource: `binding` for pods, or a served endpoint such as `serviceaccounts/token`. */
  async createSubresource(
    ctx: RequestContext,
    def: ResourceDefinition,
    name: string,
    subresource: string,
    body: unknown,
  ): Promise<unknown> {
    await this.start();
    this.writable(def, 'create');
    const endpoint = this.endpoints.find(
      (e) =>
        e.group === def.group &&
        e.version === def.version &&
        e.resource === def.plural &&
        e.subresource === subresource,
    );
    if (endpoint !== undefined) {
      return endpoint.create({
        user: ctx.user,
        ...(ctx.namespace !== undefined ? { namespace: ctx.namespace } : {}),
        name,
        body: (body ?? {}) as Record<string, unknown>,
        query: new URLSearchParams(ctx.dryRun ? { dryRun: 'All' } : {}),
      });
    }
    return this.subresources.create(ctx, def, name, subresource, body);
  }

  /** PUT of a subresource: `status`, `scale`, `finalize`. */
  async updateSubresource(
    ctx: RequestContext,
    def: ResourceDefinition,
    name: string,
    subresource: string,
    body: unknown,
  ): Promise<unknown> {
    await this.start();
    this.writable(def, 'update');
    if (subresource === 'status' || subresource === 'approval')
      return this.update(ctx, def, body as KubeObject, subresource);
    return this.subresources.update(ctx, def, name, subresource, body);
  }
}

function notServed(def: ResourceDefinition, subresource: string): ApiError {
  return new ApiError(
    'NotFound',
    `the server could not find the requested resource (${def.plural}/${subresource})`,
    { group: def.group, kind: def.plural },
  );
}

function computedKey(def: Pick<ResourceDefinition, 'group' | 'version' | 'plural'>): string {
  return `${def.group}/${def.version}/${def.plural}`;
}
