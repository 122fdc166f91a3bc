import type { Logger } from '@tugboat/core';

import type { RegistryHostConfig } from './writeRegistryHosts.js';

/** The socket of the containerd that `scripts/containerd.sh` starts. */
export const defaultContainerdSocket = '/run/tugboat/containerd/containerd.sock';

/**
 * The CRI registry `config_path` of the containerd that `scripts/containerd.sh` starts (which moves
 * with `$TUG_CONTAINERD_ETC`, as the script's does).
 */
export const defaultRegistryConfigPath = `${process.env['TUG_CONTAINERD_ETC'] ?? '/var/lib/tugboat/containerd-etc'}/certs.d`;

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
  /**
   * Deadline of an image pull. Default 300 000. A registry that accepts connections but never
   * answers fails the pull with `ImagePull` (reason `Unavailable`) once it passes.
   */
  readonly pullTimeoutMs?: number;
  /**
   * containerd's CRI registry `config_path` (`[plugins."io.containerd.grpc.v1.cri".registry]`), where
   * {@link registries} are written. Default {@link defaultRegistryConfigPath}.
   */
  readonly registryConfigPath?: string;
  /**
   * Registry hosts (`127.0.0.1:5000`, `registry.example.com`) and how to reach them: plain HTTP or
   * TLS with a CA (insecure registries), and mirrors. Written as `hosts.toml` files under
   * {@link registryConfigPath} before the first pull; containerd reads them on every pull.
   */
  readonly registries?: Readonly<Record<string, RegistryHostConfig>>;
  /** Deadline of an `execSync` given no timeout of its own. Default 60 000. */
  readonly execTimeoutMs?: number;
  /** How often container events are polled for while someone subscribes. Default 200. */
  readonly eventPollIntervalMs?: number;
  /** Where diagnostics go. Default: silent. */
  readonly logger?: Logger;
}
