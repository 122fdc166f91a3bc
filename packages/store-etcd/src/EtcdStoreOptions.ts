import type { Logger } from '@tugboat/core';

/** PEM material: the PEM text itself, a path to a PEM file, or the bytes. */
export type PemSource = string | Buffer;

/** TLS settings for `etcds://` endpoints. Without `ca`, the system roots are trusted. */
export interface EtcdTlsOptions {
  /** CA certificate(s) that signed the etcd server certificates. */
  readonly ca?: PemSource;
  /** Client certificate, for etcd's `--client-cert-auth`. Requires `key`. */
  readonly cert?: PemSource;
  /** Private key of the client certificate. Requires `cert`. */
  readonly key?: PemSource;
}

/** Options of an {@link EtcdStore}. Only `endpoints` is required. */
export interface EtcdStoreOptions {
  /** etcd client endpoints as `host:port`; with several, requests fail over between them. */
  readonly endpoints: readonly string[];
  /** Speak TLS to every endpoint (what `etcds://` selects). */
  readonly tls?: EtcdTlsOptions | boolean;
  /** The etcd key prefix every store key is written under. Default `/registry`. */
  readonly prefix?: string;
  /** Upper bound on one request, retries and fail-over included; it then fails `Unavailable`. Default 5000 ms. */
  readonly requestTimeoutMs?: number;
  /** How long {@link EtcdStore.ready} waits for each endpoint at start. Default 5000 ms. */
  readonly dialTimeoutMs?: number;
  /**
   * Run a compaction every this many ms, compacting to the revision seen one interval earlier (as
   * kube-apiserver does). Off unless set.
   */
  readonly compactionIntervalMs?: number;
  /** etcd's `--max-request-bytes`; larger writes fail `RequestEntityTooLarge` before sending. Default 1.5 MiB. */
  readonly maxRequestBytes?: number;
  /** Where the store logs connection trouble and compactions. Silent by default. */
  readonly logger?: Logger;
}

/** etcd's default `--max-request-bytes` (1.5 MiB). */
export const defaultMaxRequestBytes = 1.5 * 1024 * 1024;
