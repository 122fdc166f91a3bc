import type { Logger } from '@tugboat/core';

/** The socket of the containerd that `scripts/containerd.sh` starts. */
export const defaultContainerdSocket = '/run/tugboat/containerd/containerd.sock';

/** Options of a {@link ContainerdRuntime}. Every duration is in milliseconds. */
export interface ContainerdRuntimeOptions {
  /** containerd's gRPC socket (a path, or a `unix://` address). Default {@link defaultContainerdSocket}. */
  readonly socket?: string;
  /** Deadline of each query (version, status, list, stats, exec URL). Default 10 000. */
  readonly callTimeoutMs?: number;
  /**
   * Deadline of calls that run, create, start, stop or remove sandboxes and containers, which queue
   * behind each other in containerd when many pods start at once. Default 120 000, like the kubelet's
   * `--runtime-request-timeout`. A stop adds its grace period.
   */
  readonly lifecycleTimeoutMs?: number;
  /** Deadline of an image pull. Default 300 000. */
  readonly pullTimeoutMs?: number;
  /** Deadline of an `execSync` given no timeout of its own. Default 60 000. */
  readonly execTimeoutMs?: number;
  /** How often container events are polled for while someone subscribes. Default 200. */
  readonly eventPollIntervalMs?: number;
  /** Where diagnostics go. Default: silent. */
  readonly logger?: Logger;
}
