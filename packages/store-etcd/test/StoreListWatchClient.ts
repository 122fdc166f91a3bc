import {
  ApiError,
  type ApiClient,
  type KeyValue,
  type KubeObject,
  type ListOptions,
  type ObjectList,
  type ResourceRef,
  type Store,
  type WatchEvent,
  type WatchOptions,
} from '@tugboat/core';
import { map, tap, type Observable } from 'rxjs';

/**
 * The list and watch half of an {@link ApiClient}, straight over a {@link Store} (objects as JSON
 * under `/<plural>/<namespace>/<name>`, resourceVersion = modRevision), which is all an informer
 * calls. It stands in for the registry so store-etcd's tests can drive core's informer without
 * depending on the apiserver; every other method is `MethodNotAllowed`. Watch errors are recorded.
 */
export class StoreListWatchClient implements ApiClient {
  /** Every error a watch ended with, in order. */
  readonly watchErrors: unknown[] = [];

  constructor(private readonly store: Store) {}

  async list<T extends KubeObject>(
    resource: ResourceRef<T>,
    options: ListOptions = {},
  ): Promise<ObjectList<T>> {
    const page = await this.store.list(this.prefix(resource, options.namespace), {
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(options.continue === undefined ? {} : { continue: options.continue }),
    });
    return {
      apiVersion: resource.version,
      kind: `${resource.kind}List`,
      metadata: {
        resourceVersion: String(page.revision),
        ...(page.continue ? { continue: page.continue } : {}),
      },
      items: page.items.map((kv) => toObject(kv) as T),
    };
  }

  watch<T extends KubeObject>(
    resource: ResourceRef<T>,
    options: WatchOptions = {},
  ): Observable<WatchEvent<T>> {
    const after = options.resourceVersion ? Number(options.resourceVersion) : undefined;
    return this.store.watch(this.prefix(resource, options.namespace), after).pipe(
      map((ev): WatchEvent<T> => {
        const type = ev.type === 'create' ? 'ADDED' : ev.type === 'update' ? 'MODIFIED' : 'DELETED';
        return { type, object: toObject(ev.kv) as T };
      }),
      tap({ error: (err: unknown) => this.watchErrors.push(err) }),
    );
  }

  get(): Promise<never> {
    return unsupported();
  }
  create(): Promise<never> {
    return unsupported();
  }
  update(): Promise<never> {
    return unsupported();
  }
  updateStatus(): Promise<never> {
    return unsupported();
  }
  patch(): Promise<never> {
    return unsupported();
  }
  delete(): Promise<never> {
    return unsupported();
  }
  getSubresource(): Promise<never> {
    return unsupported();
  }
  createSubresource(): Promise<never> {
    return unsupported();
  }
  updateSubresource(): Promise<never> {
    return unsupported();
  }

  private prefix(resource: ResourceRef, namespace: string | undefined): string {
    return namespace ? `/${resource.plural}/${namespace}/` : `/${resource.plural}/`;
  }
}

function toObject(kv: KeyValue): KubeObject {
  const object = JSON.parse(kv.value) as KubeObject;
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(kv.modRevision) } };
}

function unsupported(): Promise<never> {
  return Promise.reject(new ApiError('MethodNotAllowed', 'StoreListWatchClient only lists and watches'));
}
