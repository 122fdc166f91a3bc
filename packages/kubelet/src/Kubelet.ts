import { ApiError } from '@tugboat/core';

import type { KubeletOptions } from './KubeletOptions.js';

/** SEAM STUB — implemented by the pod-lifecycle owner. */
export class Kubelet {
  constructor(readonly options: KubeletOptions) {}
  get nodeName(): string {
    return this.options.nodeName;
  }
  /** The kubelet server's port once started (0: no server). */
  get serverPort(): number {
    return 0;
  }
  /** Registers the node, starts the server, the pod informer and the workers. */
  start(): Promise<void> {
    return Promise.reject(new ApiError('Internal', 'not implemented'));
  }
  /** Stops watching and heartbeats; containers keep running (a restarted kubelet adopts them). */
  stop(): Promise<void> {
    return Promise.resolve();
  }
}
