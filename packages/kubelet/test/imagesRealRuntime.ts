import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import type { Runtime } from '@tugboat/core';
import {
  ContainerdRuntime,
  defaultRegistryConfigPath,
  writeRegistryHosts,
} from '@tugboat/runtime-containerd';
import { DockerRuntime } from '@tugboat/runtime-docker';
import { buildImages, importIntoContainerd, importIntoDocker, type RegistryEndpoint } from '@tugboat/testing';
import Docker from 'dockerode';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../..', import.meta.url));

/** A real runtime for the kubelet's pull tests, and how to point it at a loopback registry. */
export interface RealRuntime {
  readonly runtime: Runtime;
  configureRegistry(registry: RegistryEndpoint): Promise<void>;
  close(): Promise<void>;
}

/** The project's containerd (started by its script, reused when running) with busybox and pause imported. */
export async function containerd(): Promise<RealRuntime> {
  const images = await buildImages();
  const { stdout } = await run(join(repo, 'scripts/containerd.sh'), ['start'], { timeout: 60_000 });
  const socket = stdout.trim();
  await importIntoContainerd(images, { address: socket });
  const runtime = new ContainerdRuntime({ socket });
  const hosts: string[] = [];
  return {
    runtime,
    // containerd's CRI finds a plain-HTTP registry through a hosts.toml, re-read on every pull.
    configureRegistry: async ({ host, url }) => {
      hosts.push(host);
      await writeRegistryHosts(defaultRegistryConfigPath, host, { server: url });
    },
    close: async () => {
      await runtime.close();
      for (const host of hosts)
        await rm(join(defaultRegistryConfigPath, host), { recursive: true, force: true });
    },
  };
}

/** The project's Docker Engine (started by its script under the shared lock) with busybox and pause imported. */
export async function docker(): Promise<RealRuntime> {
  const images = await buildImages();
  const lock = join(tmpdir(), 'tugboat-dockerd.lock');
  const { stdout } = await run('flock', ['-o', lock, 'bash', join(repo, 'scripts/dockerd.sh'), 'start'], {
    timeout: 60_000,
  });
  const socketPath = stdout.trim().split('\n').pop() ?? '';
  await importIntoDocker(new Docker({ socketPath }), images);
  const runtime = new DockerRuntime({ socketPath });
  // Docker treats 127.0.0.0/8 as an insecure registry: nothing to configure.
  return { runtime, configureRegistry: () => Promise.resolve(), close: () => runtime.close() };
}

/**
 * The runtime as one kubelet of a shared daemon should see it: only the sandboxes and containers
 * of `namespace`. The kubelet removes, at start, every sandbox of a pod it does not know; on a
 * daemon other suites use at the same time, that would be theirs.
 */
export function scopedRuntime(runtime: Runtime, namespace: string): Runtime {
  const ns = 'io.kubernetes.pod.namespace';
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      if (prop === 'listPodSandboxes')
        return async (...args: Parameters<Runtime['listPodSandboxes']>) =>
          (await target.listPodSandboxes(...args)).filter((s) => s.labels[ns] === namespace);
      if (prop === 'listContainers')
        return async (...args: Parameters<Runtime['listContainers']>) =>
          (await target.listContainers(...args)).filter((c) => c.labels[ns] === namespace);
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
