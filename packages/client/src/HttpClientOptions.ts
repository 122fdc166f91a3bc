import { token } from '@tugboat/core';

/** How to reach and authenticate to an API server over HTTP(S) (what a kubeconfig context says). */
export interface HttpClientOptions {
  /** `https://host:port` or `http://host:port`. */
  readonly server: string;
  /** PEM CA bundle to verify the server with (default: the system CAs). */
  readonly ca?: string | Buffer;
  /** PEM client certificate and key for client-certificate authentication. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Bearer token. */
  readonly token?: string;
  /** Skip server certificate verification (tests only). */
  readonly insecureSkipTlsVerify?: boolean;
  /** TLS server name to verify, when it differs from the URL's host. */
  readonly tlsServerName?: string;
  /** The namespace of the kubeconfig context, for callers that want a default. */
  readonly namespace?: string;
  /** Per-request timeout for non-watch calls in ms (default 60 s). */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

/** Inversify token for the {@link HttpClientOptions} of the client module. */
export const HttpClientOptions = token<HttpClientOptions>('client/HttpClientOptions');
