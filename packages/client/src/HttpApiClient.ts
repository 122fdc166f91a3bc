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
import { defer, type Observable } from 'rxjs';

import type { HttpClientOptions } from './HttpClientOptions.js';
import { decodeResponse } from './internal/decodeResponse.js';
import { requireNamespace, resourcePath, withQuery } from './internal/resourcePath.js';
import { Transport } from './internal/Transport.js';
import { watchStream } from './internal/watchStream.js';

const patchTypes: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/**
 * The {@link ApiClient} over HTTP(S): the same calls as the in-process client, sent to a remote
 * API server with a keep-alive agent (TLS with a CA, client certificate or bearer token). Failures
 * are `ApiError`s rebuilt from the server's `Status`; watches are cold Observables over NDJSON.
 */
export class HttpApiClient implements ApiClient {
  private readonly transport: Transport;

  constructor(readonly options: HttpClientOptions) {
    this.transport = new Transport(options);
  }

  async get<T extends KubeObject>(
    resource: ResourceRef<T>,
    name: string,
    options?: NamespaceOption,
  ): Promise<T> {
    const ns = requireNamespace(resource, options?.namespace);
    return (await this.call('GET', resourcePath(resource, ns, name))) as T;
  }

  async list<T extends KubeObject>(
    resource: ResourceRef<T>,
    options: ListOptions = {},
  ): Promise<ObjectList<T>> {
    const path = withQuery(resourcePath(resource, options.namespace), {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      limit: options.limit,
      continue: options.continue,
      resourceVersion: options.resourceVersion,
      resourceVersionMatch: options.resourceVersionMatch,
    });
    return (await this.call('GET', path)) as ObjectList<T>;
  }

  async create<T extends KubeObject>(
    resource: ResourceRef<T>,
    object: T,
    options?: WriteOptions,
  ): Promise<T> {
    const ns = requireNamespace(resource, options?.namespace ?? object.metadata?.namespace);
    return (await this.call(
      'POST',
      withQuery(resourcePath(resource, ns), writeParams(options)),
      json(object),
    )) as T;
  }

  async update<T extends KubeObject>(
    resource: ResourceRef<T>,
    object: T,
    options?: WriteOptions,
  ): Promise<T> {
    const ns = requireNamespace(resource, options?.namespace ?? object.metadata?.namespace);
    const path = resourcePath(resource, ns, object.metadata?.name ?? '');
    return (await this.call('PUT', withQuery(path, writeParams(options)), json(object))) as T;
  }

  async updateStatus<T extends KubeObject>(
    resource: ResourceRef<T>,
    object: T,
    options?: WriteOptions,
  ): Promise<T> {
    const ns = requireNamespace(resource, options?.namespace ?? object.metadata?.namespace);
    const path = resourcePath(resource, ns, object.metadata?.name ?? '', 'status');
    return (await this.call('PUT', withQuery(path, writeParams(options)), json(object))) as T;
  }

  async patch<T extends KubeObject>(
    resource: ResourceRef<T>,
    name: string,
    type: PatchType,
    patch: unknown,
    options?: WriteOptions & { readonly subresource?: string },
  ): Promise<T> {
    const ns = requireNamespace(resource, options?.namespace);
    const path = withQuery(resourcePath(resource, ns, name, options?.subresource), writeParams(options));
    const data = typeof patch === 'string' ? patch : JSON.stringify(patch);
    return (await this.call('PATCH', path, { type: patchTypes[type], data })) as T;
  }

  async delete<T extends KubeObject>(
    resource: ResourceRef<T>,
    name: string,
    options: DeleteOptions = {},
  ): Promise<T | Status> {
    const ns = requireNamespace(resource, options.namespace);
    const body = {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      ...(options.propagationPolicy !== undefined ? { propagationPolicy: options.propagationPolicy } : {}),
      ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
      ...(options.preconditions !== undefined ? { preconditions: options.preconditions } : {}),
      ...(options.dryRun ? { dryRun: ['All'] } : {}),
    };
    return (await this.call('DELETE', resourcePath(resource, ns, name), json(body))) as T | Status;
  }

  watch<T extends KubeObject>(
    resource: ResourceRef<T>,
    options: WatchOptions = {},
  ): Observable<WatchEvent<T>> {
    return defer(() =>
      watchStream<T>(
        this.transport,
        withQuery(resourcePath(resource, options.namespace), {
          watch: 'true',
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          resourceVersion: options.resourceVersion,
          allowWatchBookmarks: options.allowWatchBookmarks ? 'true' : undefined,
          timeoutSeconds: options.timeoutSeconds,
        }),
      ),
    );
  }

  async getSubresource<R>(
    resource: ResourceRef,
    name: string,
    subresource: string,
    options?: SubresourceOptions,
  ): Promise<R> {
    const ns = requireNamespace(resource, options?.namespace);
    return (await this.call(
      'GET',
      withQuery(resourcePath(resource, ns, name, subresource), options?.query ?? {}),
    )) as R;
  }

  async createSubresource<R>(
    resource: ResourceRef,
    name: string,
    subresource: string,
    body: unknown,
    options?: SubresourceOptions,
  ): Promise<R> {
    const ns = requireNamespace(resource, options?.namespace);
    const path = withQuery(resourcePath(resource, ns, name, subresource), {
      ...writeParams(options),
      ...(options?.query ?? {}),
    });
    return (await this.call('POST', path, json(body))) as R;
  }

  async updateSubresource<R>(
    resource: ResourceRef,
    name: string,
    subresource: string,
    body: unknown,
    options?: SubresourceOptions,
  ): Promise<R> {
    const ns = requireNamespace(
      resource,
      options?.namespace ?? (body as KubeObject | undefined)?.metadata?.namespace,
    );
    const path = withQuery(resourcePath(resource, ns, name, subresource), {
      ...writeParams(options),
      ...(options?.query ?? {}),
    });
    return (await this.call('PUT', path, json(body))) as R;
  }

  /** Closes the idle keep-alive connections (open watches end when unsubscribed). */
  close(): void {
    this.transport.close();
  }

  private async call(method: string, path: string, body?: { type: string; data: string }): Promise<unknown> {
    return decodeResponse(await this.transport.send(method, path, body));
  }
}

function json(value: unknown): { type: string; data: string } {
  return { type: 'application/json', data: JSON.stringify(value) };
}

function writeParams(options: WriteOptions | undefined): Record<string, string | undefined> {
  return {
    dryRun: options?.dryRun ? 'All' : undefined,
    fieldManager: options?.fieldManager,
    fieldValidation: options?.fieldValidation,
  };
}
