import { rm } from 'node:fs/promises';
import path from 'node:path';

import { describeRegistryPulls } from '@tugboat/testing';

import { ContainerdRuntime, defaultRegistryConfigPath, writeRegistryHosts } from '../src/index.js';
import { containerdWithImages } from './containerdDaemon.js';

// Pulls from a real registry on loopback through containerd's CRI, which finds each registry through
// a hosts.toml under its registry config_path (re-read on every pull).
describeRegistryPulls('containerd', async () => {
  const { socket, images } = await containerdWithImages();
  const hosts = new Set<string>();
  return {
    runtime: new ContainerdRuntime({ socket }),
    impatientRuntime: new ContainerdRuntime({ socket, pullTimeoutMs: 3_000 }),
    images: { busybox: images.busybox.ref, pause: images.pause.ref },
    configureRegistry: async ({ host, url, caPem }) => {
      hosts.add(host);
      await writeRegistryHosts(defaultRegistryConfigPath, host, {
        server: url,
        ...(caPem === undefined ? {} : { caPem }),
      });
    },
    cleanup: async () => {
      for (const host of hosts)
        await rm(path.join(defaultRegistryConfigPath, host), { recursive: true, force: true });
    },
  };
});
