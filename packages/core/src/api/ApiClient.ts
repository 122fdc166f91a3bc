import type { Observable } from 'rxjs';

import { token } from '../di/token.js';
import type { Status } from '../errors/ApiError.js';
import type { KubeObject, ObjectList } from '../meta/KubeObject.js';
import type { ResourceDefinition } from '../meta/ResourceDefinition.js';
import type { WatchEvent } from './WatchEvent.js';

/** The resource an ApiClient call addresses: a {@link ResourceDefinition} or its essential part. */
export type ResourceRef<T extends KubeObject = KubeObject> = Pick<
  ResourceDefinition<T>,
  'group' | 'version' | 'plural' | 'kind' | 'namespaced'
> & { readonly __object?: T };

/** Scopes a call to a namespace (ignored by cluster-scoped resources). */
export interface NamespaceOption {
  readonly namespace?: string | undefined;
}

/** Options for list calls, as the Kubernetes query parameters of the same names. */
export interface ListOptions extends NamespaceOption {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

/** Options for watch calls. */
export interface WatchOptions extends NamespaceOption {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Changes after this version; unset or "0" first replays current objects as ADDED. */
  readonly resourceVersion?: string;
  readonly allowWatchBookmarks?: boolean;
  readonly timeoutSeconds?: number;
}

/** Options shared by every write. */
export interface WriteOptions extends NamespaceOption {
  /** Run admission and validation, store nothing. */
  readonly dryRun?: boolean;
  readonly fieldManager?: string;
  readonly fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

/** Kubernetes `DeleteOptions`. */
export interface DeleteOptions extends WriteOptions {
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  readonly gracePeriodSeconds?: number;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

/** The patch formats Kubernetes accepts. */
export type PatchType = 'merge' | 'json' | 'strategic';

/** Options for subresource calls, e.g. `log` query parameters. */
export interface SubresourceOptions extends WriteOptions {
  readonly query?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
}

/**
 * Typed access to the Kubernetes API. Two implementations exist: in-process (straight into the
 * registry, still through admission and validation) and HTTP (a remote apiserver). A component
 * never knows which it has. Failures are {@link ApiError}s with Kubernetes reasons.
 */
export interface ApiClient {
  get<T extends KubeObject>(resource: ResourceRef<T>, name: string, options?: NamespaceOption): Promise<T>;
  list<T extends KubeObject>(resource: ResourceRef<T>, options?: ListOptions): Promise<ObjectList<T>>;
  create<T extends KubeObject>(resource: ResourceRef<T>, object: T, options?: WriteOptions): Promise<T>;
  /** Replaces the object; `Conflict` if `metadata.resourceVersion` is stale. */
  update<T extends KubeObject>(resource: ResourceRef<T>, object: T, options?: WriteOptions): Promise<T>;
  /** Replaces only the status (the `status` subresource). */
  updateStatus<T extends KubeObject>(resource: ResourceRef<T>, object: T, options?: WriteOptions): Promise<T>;
  patch<T extends KubeObject>(
    resource: ResourceRef<T>,
    name: string,
    type: PatchType,
    patch: unknown,
    options?: WriteOptions & { readonly subresource?: string },
  ): Promise<T>;
  /** Deletes; returns the object (still present while finalizers or grace run) or a Success Status. */
  delete<T extends KubeObject>(
    resource: ResourceRef<T>,
    name: string,
    options?: DeleteOptions,
  ): Promise<T | Status>;
  /** A cold Observable: subscribing opens the watch; `Gone` on the error channel means relist. */
  watch<T extends KubeObject>(resource: ResourceRef<T>, options?: WatchOptions): Observable<WatchEvent<T>>;
  /** GET of a subresource (`scale`, `log`, …). */
  getSubresource<R>(
    resource: ResourceRef,
    name: string,
    subresource: string,
    options?: SubresourceOptions,
  ): Promise<R>;
  /** POST to a subresource (`binding`, `eviction`, `token`, …). */
  createSubresource<R>(
    resource: ResourceRef,
    name: string,
    subresource: string,
    body: unknown,
    options?: SubresourceOptions,
  ): Promise<R>;
  /** PUT of a subresource (`scale`, `status`, `finalize`). */
  updateSubresource<R>(
    resource: ResourceRef,
    name: string,
    subresource: string,
    body: unknown,
    options?: SubresourceOptions,
  ): Promise<R>;
}

/** Inversify token for the {@link ApiClient}. */
export const ApiClient = token<ApiClient>('core/ApiClient');
