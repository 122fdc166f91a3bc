import { token, type ApiClient, type Clock, type Logger, type Runtime } from '@tugboat/core';

import type { ImageGcOptions } from './images/ImageGcManager.js';

/** TLS material of the kubelet's HTTPS server (PEM). */
export interface KubeletTlsOptions {
  /** The serving certificate and its key. */
  readonly certPem: string;
  readonly keyPem: string;
  /** Clients must present a certificate signed by this CA (the apiserver's kubelet-client cert). */
  readonly clientCaPem: string;
}

/** CrashLoopBackOff tuning (upstream: 10 s doubling to 5 min, reset after 10 min of running). */
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly resetAfterMs?: number;
}

/** Options of a {@link Kubelet}. */
export interface KubeletOptions {
  /** The Node's name (`kubernetes.io/hostname` label too). */
  readonly nodeName: string;
  readonly client: ApiClient;
  readonly runtime: Runtime;
  /**
   * Where pod directories (volumes) and container logs live:
   * `<rootDir>/pods/<uid>/volumes/...` and `<rootDir>/logs/<ns>_<name>_<uid>/<container>/<n>.log`.
   */
  readonly rootDir: string;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** The node's InternalIP, used for hostIP and to reach the kubelet server (default 127.0.0.1). */
  readonly address?: string;
  /** Extra labels for the Node beside the standard ones. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Overrides of what is read from the host (`cpu`, `memory`, `pods`, `ephemeral-storage`): simulated nodes. */
  readonly capacity?: Readonly<Record<string, string>>;
  /**
   * The kubelet's HTTPS server (logs, exec, stats, healthz). Without `tls` the server is not
   * started (simulated nodes in a density run).
   */
  readonly server?: {
    readonly host?: string;
    /** 0 picks a free port (default 10250). */
    readonly port?: number;
    readonly tls: KubeletTlsOptions;
  };
  readonly backoff?: BackoffOptions;
  /** How often a running pod is re-synced without a trigger (default 60 s, as upstream's sync frequency). */
  readonly resyncIntervalMs?: number;
  /** Lease renewal (default 10 s) and node status report interval (default 60 s). */
  readonly leaseRenewIntervalMs?: number;
  readonly nodeStatusReportIntervalMs?: number;
  /** Pull one image at a time (default true, as upstream's `serializeImagePulls`). */
  readonly serializeImagePulls?: boolean;
  /** With `serializeImagePulls: false`, at most this many pulls at once (default no limit). */
  readonly maxParallelImagePulls?: number;
  /** Deadline of one image pull; a registry that hangs fails the pull (ErrImagePull) after it. Default 120 000 ms. */
  readonly imagePullTimeoutMs?: number;
  /** Image garbage collection (thresholds 85 % / 80 %, every 5 min by default); `false` turns it off. */
  readonly imageGc?: ImageGcOptions | false;
  /**
   * The cluster DNS Service's address(es) pods with `dnsPolicy: ClusterFirst` use as nameservers
   * (upstream's `--cluster-dns`). Without it those pods fall back to the node's resolver.
   */
  readonly clusterDns?: readonly string[];
  /** The cluster's DNS domain, for pods' search paths (default `cluster.local`). */
  readonly clusterDomain?: string;
  /** The node's resolver file pods with `dnsPolicy: Default` copy (default `/etc/resolv.conf`). */
  readonly resolvConf?: string;
}

/** Inversify token for {@link KubeletOptions}. */
export const KubeletOptions = token<KubeletOptions>('kubelet/KubeletOptions');
