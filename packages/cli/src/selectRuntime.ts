import { ApiError, silentLogger, type Logger, type Runtime } from '@tugboat/core';
import { ContainerdRuntime, defaultContainerdSocket } from '@tugboat/runtime-containerd';
import { DockerRuntime } from '@tugboat/runtime-docker';
import { FakeRuntime } from '@tugboat/runtime-fake';

import type { RuntimeChoice } from './runtimeChoice.js';

/** The socket of the Docker Engine that `scripts/dockerd.sh` starts. */
export const tugboatDockerSocket = '/run/tugboat/docker/docker.sock';

/** Options of {@link selectRuntime}. */
export interface SelectRuntimeOptions {
  readonly choice: RuntimeChoice;
  /** Default {@link defaultContainerdSocket}. */
  readonly containerdSocket?: string;
  /** Default {@link tugboatDockerSocket}. */
  readonly dockerSocket?: string;
  /** How long a daemon may take to answer its version (default 5 s). */
  readonly probeTimeoutMs?: number;
  readonly logger?: Logger;
}

/** The runtime chosen, and one line saying which and why. */
export interface SelectedRuntime {
  readonly runtime: Runtime;
  /** `containerd (/run/…/containerd.sock answered version 1.6.20)`, `fake (no containerd at …)`. */
  readonly description: string;
}

type Probe = { readonly ok: true; readonly version: string } | { readonly ok: false; readonly why: string };

/** A short reason for a daemon not answering: `connect ENOENT` rather than the whole gRPC story. */
export function shortReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const connect = /connect (E[A-Z]+)/.exec(message) ?? /\((E[A-Z]+)\)/.exec(message);
  if (connect?.[1] !== undefined) return `connect ${connect[1]}`;
  const first = message.split('\n')[0] ?? message;
  return first.length > 160 ? `${first.slice(0, 157)}...` : first;
}

// The probe is a client of its own with a short deadline; the node gets one with the runtime's
// default deadlines, which are long enough for a busy daemon to create containers.
async function probe(make: () => Runtime): Promise<Probe> {
  const runtime = make();
  try {
    const v = await runtime.version();
    return { ok: true, version: v.runtimeVersion };
  } catch (err) {
    return { ok: false, why: shortReason(err) };
  } finally {
    await runtime.close().catch(() => undefined);
  }
}

function notAnswering(name: string, flag: string, socket: string, why: string): ApiError {
  return new ApiError(
    'Unavailable',
    `${name} does not answer at ${socket} (${why}): start it with \`make daemons\`, point ${flag} at its socket, or choose another --runtime`,
  );
}

/**
 * Picks the container runtime for a node. `auto` tries containerd, then Docker, then the
 * simulation, and says which it took and why; an explicit choice that does not answer is an
 * `Unavailable` error naming the socket and the fix.
 */
export async function selectRuntime(options: SelectRuntimeOptions): Promise<SelectedRuntime> {
  const containerdSocket = options.containerdSocket ?? defaultContainerdSocket;
  const dockerSocket = options.dockerSocket ?? tugboatDockerSocket;
  const timeout = options.probeTimeoutMs ?? 5_000;
  const logger = options.logger ?? silentLogger;
  const containerd = (): Promise<Probe> =>
    probe(() => new ContainerdRuntime({ socket: containerdSocket, callTimeoutMs: timeout, logger }));
  const docker = (): Promise<Probe> =>
    probe(() => new DockerRuntime({ socketPath: dockerSocket, callTimeoutMs: timeout }, logger));
  const fake = (): SelectedRuntime => ({
    runtime: new FakeRuntime(),
    description: 'fake (simulated containers)',
  });
  const answered = (name: string, socket: string, p: Extract<Probe, { ok: true }>): SelectedRuntime => ({
    runtime:
      name === 'containerd'
        ? new ContainerdRuntime({ socket: containerdSocket, logger })
        : new DockerRuntime({ socketPath: dockerSocket }, logger),
    description: `${name} (${socket} answered version ${p.version})`,
  });

  switch (options.choice) {
    case 'fake':
      return fake();
    case 'containerd': {
      const p = await containerd();
      if (!p.ok) throw notAnswering('containerd', '--containerd-socket', containerdSocket, p.why);
      return answered('containerd', containerdSocket, p);
    }
    case 'docker': {
      const p = await docker();
      if (!p.ok) throw notAnswering('Docker', '--docker-socket', dockerSocket, p.why);
      return answered('docker', dockerSocket, p);
    }
    case 'auto': {
      const c = await containerd();
      if (c.ok) return answered('containerd', containerdSocket, c);
      const d = await docker();
      if (d.ok) return answered('docker', dockerSocket, d);
      return {
        runtime: new FakeRuntime(),
        description: `fake (no containerd at ${containerdSocket}: ${c.why}; no Docker at ${dockerSocket}: ${d.why})`,
      };
    }
  }
}
