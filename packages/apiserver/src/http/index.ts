/* The HTTP front of the API server (area H1). */
export type {
  ApiEndpoint,
  ApiEndpointRequest,
  AuthorizationAttributes,
  AuthorizationDecision,
  Authenticator,
  Authorizer,
  NodeProxy,
  NodeProxyRequest,
  NodeProxySubresource,
} from './hooks.js';
export type { ServerOptions, ServerTlsOptions } from './ServerOptions.js';
export { startApiServer, type RunningApiServer } from './startApiServer.js';
export { adminAuthenticator, allowAllAuthorizer, unavailableNodeProxy } from './defaultHooks.js';
export { KubeletNodeProxy, type KubeletNodeProxyOptions } from './KubeletNodeProxy.js';
export { ServerMetrics } from './ServerMetrics.js';
export { Discovery, aggregatedDiscoveryType } from './discovery/Discovery.js';
export { OpenApi, gvPathOf, type OpenApiDocument } from './openapi/OpenApi.js';
export { generateSchemas, type GeneratedSchemas, type Schema } from './openapi/generateSchemas.js';
export { toTable, type IncludeObject, type TableOptions } from './table/toTable.js';
export { humanDuration } from './table/humanDuration.js';
export { requestInfo, type RequestInfo } from './requestInfo.js';

/* area H: metrics (computed read-only resources, the kubelet connection shared with the scraper) */
export type { ComputedResource } from './hooks.js';
export {
  kubeletAddress,
  kubeletTlsOptions,
  type KubeletAddress,
  type KubeletClientTls,
} from './kubeletConnection.js';

/* area D: the dashboard at /ui (handlers of non-resource paths) */
export type { NonResourceHandler, NonResourceRequest } from './hooks.js';
