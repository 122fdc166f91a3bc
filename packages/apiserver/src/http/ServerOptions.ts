import type { Logger } from '@tugboat/core';

import type { Registry } from '../registry/Registry.js';
import type { ApiEndpoint, Authenticator, Authorizer, NodeProxy, NonResourceHandler } from './hooks.js';

/** TLS material of the server, PEM-encoded. */
export interface ServerTlsOptions {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  /**
   * CA bundle for client certificates. When set the server asks for a client certificate but
   * never rejects the handshake: the {@link Authenticator} decides (`req.socket.getPeerCertificate()`,
   * `req.socket.authorized`).
   */
  readonly ca?: string | Buffer;
}

/** Options of {@link startApiServer}. */
export interface ServerOptions {
  /** The registry the server fronts. */
  readonly registry: Registry;
  /** Serve HTTPS with this material; plain HTTP when absent. */
  readonly tls?: ServerTlsOptions;
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  /** Who is calling; by default everyone is `system:admin` in `system:masters`. */
  readonly authenticator?: Authenticator;
  /** Serve requests the authenticator cannot identify as `system:anonymous` instead of 401. */
  readonly allowAnonymous?: boolean;
  /** May the caller do this; by default everything is allowed. */
  readonly authorizer?: Authorizer;
  /** Endpoints for resources the registry does not store (reviews, `serviceaccounts/token`). */
  readonly endpoints?: readonly ApiEndpoint[];
  /** Serves pods/log, exec, attach, portforward; by default 503 "no node agent connection". */
  readonly nodeProxy?: NodeProxy;
  /** Handlers of non-resource paths served beside the API (the dashboard at `/ui`); default none. */
  readonly nonResourceHandlers?: readonly NonResourceHandler[];
  readonly logger?: Logger;
  /** Idle watches get a bare newline this often (default 15 s), so proxies keep them open. */
  readonly watchHeartbeatMs?: number;
  /** Largest accepted request body (default 3 MiB). */
  readonly maxBodyBytes?: number;
  /** Reported by `/version` as `gitVersion` (default `v1.32.0-tugboat`). */
  readonly version?: string;
}
