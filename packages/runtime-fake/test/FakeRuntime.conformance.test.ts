import {
  busyboxImageRef,
  describeRuntimeConformance,
  missingImageRef,
  pauseImageRef,
} from '@tugboat/testing';

import { FakeRuntime } from '../src/index.js';

describeRuntimeConformance('fake', async () => {
  const runtime = new FakeRuntime({
    images: [busyboxImageRef, { ref: pauseImageRef, entrypoint: ['sleep', 'infinity'], cmd: [] }],
    pullable: (ref) => ref !== missingImageRef,
  });
  return {
    runtime,
    images: { busybox: busyboxImageRef, pause: pauseImageRef },
    reconnect: async () => runtime.reconnect(),
  };
});
