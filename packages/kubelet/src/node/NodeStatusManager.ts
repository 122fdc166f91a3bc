import { ApiError, type ApiClient, type Clock, type Logger, type Runtime } from '@tugboat/core';

/** Options of a {@link NodeStatusManager}. */
export interface NodeStatusManagerOptions {
  readonly client: ApiClient;
  readonly runtime: Runtime;
  readonly nodeName: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** InternalIP. */
  readonly address: string;
  /** The kubelet server's port for `status.daemonEndpoints` (0: none running). */
  readonly kubeletPort: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly capacity?: Readonly<Record<string, string>>;
  readonly leaseRenewIntervalMs?: number;
  readonly nodeStatusReportIntervalMs?: number;
}

/** SEAM STUB — implemented by the node owner. */
export class NodeStatusManager {
  constructor(readonly options: NodeStatusManagerOptions) {}
  /** Registers (creates or updates) the Node, starts the Lease heartbeat and status reports. */
  start(): Promise<void> {
    return Promise.reject(new ApiError('Internal', 'not implemented'));
  }
  /** Asks for a status update soon (e.g. images changed). */
  requestUpdate(): void {}
  /** Stops heartbeats; the Node stays. */
  stop(): Promise<void> {
    return Promise.resolve();
  }
}
