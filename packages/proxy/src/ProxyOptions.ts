import { token, type ApiClient, type Clock, type Logger } from '@tugboat/core';

import type { ProxyMetrics } from './ProxyMetrics.js';

/** Options of a {@link Proxy}. */
export interface ProxyOptions {
  /** Where Services and EndpointSlices are read from. */
  readonly client: ApiClient;
  /** The node this proxy runs on (for logs; Local traffic policies are not implemented). */
  readonly nodeName: string;
  /** The node's address: NodePorts listen on it (e.g. `127.0.0.1`). Omit to serve no NodePorts. */
  readonly nodeAddress?: string;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Metrics to count into (default: a fresh {@link ProxyMetrics}). */
  readonly metrics?: ProxyMetrics;
  /** Serve cluster IPs (default true). Turn off for a second proxy on the same machine, which can serve only its NodePorts. */
  readonly serveClusterIps?: boolean;
  /** Idle time after which a UDP session ends (default 30 s). */
  readonly udpIdleMs?: number;
  /** How long to wait before retrying a listener that could not bind (default 1 s). */
  readonly retryMs?: number;
  /**
   * An interface the proxy owns (e.g. `tug-svc0`, upstream's `kube-ipvs0`) to hold every cluster IP
   * outside 127.0.0.0/8 as a local `/32`, so pods in their own network namespace reach Services
   * through their route to the host. Created at start, removed at stop; needs root. Unset: such
   * cluster IPs must already be local addresses of the host.
   */
  readonly serviceInterface?: string;
  /** The iproute2 `ip` command managing {@link ProxyOptions.serviceInterface} (default `ip`). */
  readonly ipCommand?: string;
}

/** Inversify token for {@link ProxyOptions} (without `client`, which comes from the container). */
export const ProxyOptions = token<Omit<ProxyOptions, 'client'>>('proxy/ProxyOptions');
