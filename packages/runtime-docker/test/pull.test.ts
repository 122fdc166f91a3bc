import { describeRegistryPulls } from '@tugboat/testing';

import { DockerRuntime } from '../src/index.js';
import { startTestEngine } from './dockerEngine.js';

// Pulls from a real registry on loopback through Docker Engine, which treats 127.0.0.0/8 as an
// insecure registry: it tries HTTPS without verifying the certificate, then plain HTTP. So no
// per-registry configuration is needed here.
describeRegistryPulls('docker', async () => {
  const { socketPath, images } = await startTestEngine();
  return {
    runtime: new DockerRuntime({ socketPath }),
    impatientRuntime: new DockerRuntime({ socketPath, pullTimeoutMs: 3_000 }),
    images: { busybox: images.busybox.ref, pause: images.pause.ref },
    configureRegistry: () => Promise.resolve(),
  };
});
