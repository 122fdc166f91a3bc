import { ApiError, type Logger, type Runtime, type corev1 } from '@tugboat/core';

import type { KubeletTlsOptions } from '../KubeletOptions.js';

/** A container instance the server can show logs of or exec into. */
export interface LocatedContainer {
  readonly podUid: string;
  readonly containerName: string;
  readonly containerId: string;
  /** Absolute path of its CRI-format log file. */
  readonly logPath: string;
  readonly running: boolean;
}

/** How the server finds a pod's containers: implemented by the kubelet's pod bookkeeping. */
export interface ContainerLocator {
  /**
   * The current (or, with `previous`, the last terminated) instance of a container. Without a
   * container name: the pod's only container. Throws `NotFound`/`BadRequest` with messages as
   * upstream's (`container "x" in pod "p" is waiting to start: ContainerCreating`, …).
   */
  locate(
    namespace: string,
    podName: string,
    containerName: string | undefined,
    previous: boolean,
  ): Promise<LocatedContainer>;
  /** The pods bound to this node that the kubelet runs (for `/pods` and the stats summary). */
  pods(): readonly corev1.Pod[];
}

/** Options of a {@link KubeletServer}. */
export interface KubeletServerOptions {
  readonly nodeName: string;
  readonly runtime: Runtime;
  readonly locator: ContainerLocator;
  readonly tls: KubeletTlsOptions;
  readonly host?: string;
  readonly port?: number;
  readonly logger: Logger;
}

/** SEAM STUB — implemented by the server owner. */
export class KubeletServer {
  constructor(readonly options: KubeletServerOptions) {}
  /** Listens; resolves with the port. */
  start(): Promise<number> {
    return Promise.reject(new ApiError('Internal', 'not implemented'));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
