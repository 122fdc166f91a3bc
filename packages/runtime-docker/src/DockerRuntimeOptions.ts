import { token } from '@tugboat/core';

/** Settings of a {@link DockerRuntime}; every field has a default. */
export interface DockerRuntimeOptions {
  /** The Engine's unix socket; default `$TUG_DOCKER_SOCKET`, else `/run/tugboat/docker/docker.sock`. */
  readonly socketPath?: string;
  /** The image every sandbox runs; default `docker.io/tugboat/pause:1.0`. */
  readonly pauseImage?: string;
  /**
   * Deadline of one Engine call in milliseconds; default 120 000, the kubelet's default
   * `--runtime-request-timeout`: a loaded two-core node can take tens of seconds to start a container.
   */
  readonly callTimeoutMs?: number;
  /** Deadline of an image pull in milliseconds; default 300 000. */
  readonly pullTimeoutMs?: number;
}

/** Inversify token for the {@link DockerRuntimeOptions}. */
export const DockerRuntimeOptions = token<DockerRuntimeOptions>('runtime-docker/Options');

/** The socket {@link DockerRuntimeOptions.socketPath} defaults to. */
export function defaultDockerSocket(): string {
  return process.env['TUG_DOCKER_SOCKET'] ?? '/run/tugboat/docker/docker.sock';
}
