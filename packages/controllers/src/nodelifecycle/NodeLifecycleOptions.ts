import { token, type Clock } from '@tugboat/core';

/** Options of the node lifecycle and taint eviction controllers (upstream's defaults). */
export interface NodeLifecycleOptions {
  /** A node whose Lease (or Ready heartbeat) is older than this is unreachable (default 40 s). */
  readonly nodeMonitorGracePeriodMs?: number;
  /** A node first seen without any heartbeat gets this long to post one (default 60 s). */
  readonly nodeStartupGracePeriodMs?: number;
  readonly clock?: Clock;
}

/** Inversify token for {@link NodeLifecycleOptions}; optional (defaults apply). */
export const NodeLifecycleOptions = token<NodeLifecycleOptions>('controllers/NodeLifecycleOptions');

/** The NoExecute/NoSchedule taint key of a node whose Ready condition is Unknown. */
export const unreachableTaint = 'node.kubernetes.io/unreachable';
/** The NoExecute/NoSchedule taint key of a node whose Ready condition is False. */
export const notReadyTaint = 'node.kubernetes.io/not-ready';
