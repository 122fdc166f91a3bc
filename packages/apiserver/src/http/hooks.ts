import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

import type { KubeObject, ListOptions, ObjectList, ResourceDefinition } from '@tugboat/core';

import type { RequestContext, UserInfo } from '../registry/RequestContext.js';

/**
 * The authentication hook of the HTTP front: who sent a request. Resolves `undefined` when the
 * request carries no credentials (the server answers 401 unless anonymous requests are allowed);
 * throws an `ApiError` `Unauthorized` when it carries bad ones.
 */
export interface Authenticator {
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined>;
}

/**
 * Everything an authorizer decides on, as upstream's `authorizer.Attributes`. For resource requests
 * `verb` is one of get, list, watch, create, update, patch, delete, deletecollection (subresources
 * such as `pods/exec` keep the verb of their HTTP method: get or create); for non-resource URLs
 * (`/healthz`, `/api`, …) it is the HTTP method lowercased and `path` is what matters.
 */
export interface AuthorizationAttributes {
  readonly user: UserInfo;
  readonly verb: string;
  readonly resourceRequest: boolean;
  /** The API group (`''` for the core group); empty for non-resource requests. */
  readonly apiGroup: string;
  readonly apiVersion: string;
  /** The plural resource (`pods`); empty for non-resource requests. */
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** The request path without the query. */
  readonly path: string;
}

/** The verdict of an {@link Authorizer}; `reason` is shown in the 403 message when denied. */
export interface AuthorizationDecision {
  readonly allowed: boolean;
  readonly reason?: string;
}

/** The authorization hook of the HTTP front: may this user do this? */
export interface Authorizer {
  authorize(attributes: AuthorizationAttributes): Promise<AuthorizationDecision>;
}

/** Which streaming subresource a {@link NodeProxy} is asked to serve. */
export type NodeProxySubresource = 'log' | 'exec' | 'attach' | 'portforward';

/** One request for a pod's streaming subresource, already authenticated and authorized. */
export interface NodeProxyRequest {
  readonly subresource: NodeProxySubresource;
  readonly namespace: string;
  /** The pod name. */
  readonly name: string;
  readonly user: UserInfo;
  /** The parsed query (`container`, `follow`, `command` repeated, …). */
  readonly query: URLSearchParams;
  readonly req: IncomingMessage;
}

/**
 * The hook that serves `pods/log`, `pods/exec`, `pods/attach` and `pods/portforward` by talking to
 * the node agent. `handle` answers plain HTTP requests (log); `upgrade` takes over an HTTP upgrade
 * (WebSocket exec/attach/portforward) and owns the socket afterwards. Throwing an `ApiError` before
 * writing anything makes the server answer with its Status.
 */
export interface NodeProxy {
  handle(request: NodeProxyRequest, res: ServerResponse): Promise<void>;
  upgrade?(request: NodeProxyRequest, socket: Duplex, head: Buffer): Promise<void>;
}

/** One request to an {@link ApiEndpoint}, already authenticated and authorized. */
export interface ApiEndpointRequest {
  readonly user: UserInfo;
  readonly namespace?: string;
  readonly name?: string;
  /** The decoded request body (JSON or YAML). */
  readonly body: Record<string, unknown>;
  readonly query: URLSearchParams;
}

/**
 * An API endpoint served beside the registry, for what the registry does not store: create-only
 * reviews (`selfsubjectaccessreviews`) and computed subresources (`serviceaccounts/token`). Only
 * POST reaches it; the server answers 201 with what `create` returns (area H2).
 */
export interface ApiEndpoint {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource?: string;
  create(request: ApiEndpointRequest): Promise<unknown>;
}

/**
 * A read-only resource the registry computes on request instead of storing, as upstream serves
 * an aggregated API such as `metrics.k8s.io`: it appears in discovery, answers get and list (with
 * selectors) through the normal authorization, and refuses every write and watch (area H: metrics).
 */
export interface ComputedResource {
  readonly definition: ResourceDefinition;
  /** One object; `NotFound` when it does not exist. */
  get(ctx: RequestContext, name: string): Promise<KubeObject>;
  /** The objects of `ctx.namespace` (every namespace when unset) that the options select. */
  list(ctx: RequestContext, options: ListOptions): Promise<ObjectList<KubeObject>>;
}

/** One request to a {@link NonResourceHandler}, already authenticated and authorized. */
export interface NonResourceRequest {
  readonly user: UserInfo;
  /** The request path without the query (`/ui/app.js`). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly req: IncomingMessage;
}

/**
 * A handler of a non-resource path served beside the API, as the dashboard at `/ui`: it gets the
 * GET and HEAD requests for `prefix` and every path under it, once the path is authenticated and
 * authorized like any other (`nonResourceURLs` rules, e.g. `/ui` and `/ui/*`). It writes the answer
 * and resolves with the status code; throwing an `ApiError` before writing makes the server answer
 * with its Status.
 */
export interface NonResourceHandler {
  /** The path it serves, starting with `/` and without a trailing one (`/ui`); not an API path. */
  readonly prefix: string;
  handle(request: NonResourceRequest, res: ServerResponse): Promise<number>;
}
