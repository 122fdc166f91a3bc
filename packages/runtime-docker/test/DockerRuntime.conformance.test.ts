import { describeRuntimeConformance } from '@tugboat/testing';

import { DockerRuntime } from '../src/index.js';
import { startTestEngine } from './dockerEngine.js';

describeRuntimeConformance('docker', async () => {
  const engine = await startTestEngine();
  const runtime = new DockerRuntime({ socketPath: engine.socketPath, pauseImage: engine.images.pause.ref });
  return {
    runtime,
    images: { busybox: engine.images.busybox.ref, pause: engine.images.pause.ref },
    reconnect: async () =>
      new DockerRuntime({ socketPath: engine.socketPath, pauseImage: engine.images.pause.ref }),
  };
});
