import type {
  ApiClient,
  DeleteOptions,
  KubeObject,
  ListOptions,
  NamespaceOption,
  ObjectList,
  PatchType,
  ResourceRef,
  Status,
  SubresourceOptions,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from '@tugboat/core';
import { catchError, defer, from, map, switchMap, throwError, type Observable } from 'rxjs';

import { asApiError } from '../internal/codec.js';
import { jsonCopy } from '../internal/jsonCopy.js';
import type { Registry } from '../registry/Registry.js';
import { systemAdmin, type RequestContext, type UserInfo } from '../registry/RequestContext.js';

/**
 * The {@link ApiClient} that calls the {@link Registry} in the same process: no HTTP, no JSON, but
 * the same admission, strategies and validation as a remote client gets. Objects passed in and
 * returned are copies, never shared with the registry or the caller, and JSON-shaped as if they
 * had crossed the wire (members set to undefined are absent, a Date is its ISO string).
 */
export class InProcessApiClient implements ApiClient {
  constructor(
    private readonly registry: Registry,
    private readonly user: UserInfo = systemAdmin,
  ) {}

  /** A client acting as another user (for admission and, later, authorization). */
  as(user: UserInfo): InProcessApiClient {
    return new InProcessApiClient(this.registry, user);
  }

  async get<T extends KubeObject>(
    resource: ResourceRef<T>,
    name: string,
    options?: NamespaceOption,
  ): Promise<T> {
    // The registry builds a get or list result for this call alone: no copy needed.
    return this.call(
      () => this.registry.get(this.ctx(options), this.def(resource), name),
      false,
    ) as Promise<T>;
  }

  async list<T extends KubeObject>(
    resource: ResourceRef<T>,
    options: ListOptions = {},
  ): Promise<ObjectList<T>> {
    return this.call(
      () => this.registry.list(this.ctx(options), this.def(resource), options),
      false,
    ) as Promise<ObjectList<T>>;
  }

  async create<T extends KubeObject>(
    resource: ResourceRef<T>,
    object: T,
    options?: WriteOptions,
  ): Promise<T> {
    return this.write(object, options, (ctx, body) => this.registry.create(ctx, this.def(resource), body));
  }

  async update<T extends KubeObject>(
    resource: ResourceRef<T>,
    object: T,
    options?: WriteOptions,
  ): Promise<T> {
    return this.write(object, options, (ctx, body) => this.registry.update(ctx, this.def(resource), body));
  }

  async updateStatus<T extends KubeObject>(
    resource: ResourceRef<T>,
    object: T,
    options?: WriteOptions,
  ): Promise<T> {
    return this.write(object, options, (ctx, body) =>
      this.registry.update(ctx, this.def(resource), body, 'status'),
    );
  }

  async patch<T extends KubeObject>(
    resource: ResourceRef<T>,
    name: string,
    type: PatchType,
    patch: unknown,
    options?: WriteOptions & { readonly subresource?: string },
  ): Promise<T> {
    // structuredClone keeps an `undefined` member, which a merge patch applies as a removal.
    const body = typeof patch === 'string' ? patch : structuredClone(patch);
    return this.call(() =>
      this.registry.patch(this.ctx(options), this.def(resource), name, type, body, options?.subresource),
    ) as Promise<T>;
  }

  async delete<T extends KubeObject>(
    resource: ResourceRef<T>,
    name: string,
    options: DeleteOptions = {},
  ): Promise<T | Status> {
    return this.call(() =>
      this.registry.delete(this.ctx(options), this.def(resource), name, options),
    ) as Promise<T | Status>;
  }

  watch<T extends KubeObject>(
    resource: ResourceRef<T>,
    options: WatchOptions = {},
  ): Observable<WatchEvent<T>> {
    return defer(() => from(this.registry.start())).pipe(
      switchMap(() => this.registry.watch(this.ctx(options), this.def(resource), options)),
      // Watch events are shared by every watcher of the registry; the caller gets its own copy.
      map((event) => ({ type: event.type, object: jsonCopy(event.object) as T })),
      catchError((err: unknown) => throwError(() => asApiError(err))),
    );
  }

  async getSubresource<R>(
    resource: ResourceRef,
    name: string,
    subresource: string,
    options?: SubresourceOptions,
  ): Promise<R> {
    return this.call(() =>
      this.registry.getSubresource(this.ctx(options), this.def(resource), name, subresource),
    ) as Promise<R>;
  }

  async createSubresource<R>(
    resource: ResourceRef,
    name: string,
    subresource: string,
    body: unknown,
    options?: SubresourceOptions,
  ): Promise<R> {
    const copy = jsonCopy(body);
    return this.call(() =>
      this.registry.createSubresource(this.ctx(options), this.def(resource), name, subresource, copy),
    ) as Promise<R>;
  }

  async updateSubresource<R>(
    resource: ResourceRef,
    name: string,
    subresource: string,
    body: unknown,
    options?: SubresourceOptions,
  ): Promise<R> {
    const copy = jsonCopy(body);
    const ctx = this.ctx(options, copy as KubeObject);
    return this.call(() =>
      this.registry.updateSubresource(ctx, this.def(resource), name, subresource, copy),
    ) as Promise<R>;
  }

  private def(resource: ResourceRef): ReturnType<Registry['resources']['resolve']> {
    return this.registry.resources.resolve(resource);
  }

  private ctx(options?: WriteOptions | NamespaceOption, body?: KubeObject): RequestContext {
    const write = (options ?? {}) as WriteOptions;
    const namespace = write.namespace ?? body?.metadata?.namespace;
    return {
      user: this.user,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(write.dryRun !== undefined ? { dryRun: write.dryRun } : {}),
      ...(write.fieldValidation !== undefined ? { fieldValidation: write.fieldValidation } : {}),
      ...(write.fieldManager !== undefined ? { fieldManager: write.fieldManager } : {}),
    };
  }

  /**
   * A create or update. The registry never changes the object it is given: it works on its own
   * copy (a JSON-shaped one, so in-process callers see what HTTP clients see), so none is made here.
   */
  private write<T extends KubeObject>(
    object: T,
    options: WriteOptions | undefined,
    op: (ctx: RequestContext, body: KubeObject) => Promise<KubeObject>,
  ): Promise<T> {
    return this.call(() => op(this.ctx(options, object), object)) as Promise<T>;
  }

  /**
   * Runs a registry call. A written object is also the watch event of that write, shared with
   * every watcher, so a write's result is copied; `copy` false is for results the registry built
   * for this call alone (get, list).
   */
  private async call<R>(fn: () => Promise<R>, copy = true): Promise<R> {
    try {
      // Custom kinds are served once the registry has loaded the stored CRDs.
      await this.registry.start();
      const result = await fn();
      return copy ? jsonCopy(result) : result;
    } catch (err) {
      throw asApiError(err);
    }
  }
}
