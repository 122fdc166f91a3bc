import { describeRuntimeConformance } from '@tugboat/testing';

import { ContainerdRuntime } from '../src/index.js';
import { containerdWithImages } from './containerdDaemon.js';

describeRuntimeConformance('containerd', async () => {
  const { socket, images } = await containerdWithImages();
  return {
    runtime: new ContainerdRuntime({ socket }),
    images: { busybox: images.busybox.ref, pause: images.pause.ref },
    reconnect: () => Promise.resolve(new ContainerdRuntime({ socket })),
  };
});
