import { ApiError, type Clock, type EventRecorder, type Logger, type Runtime, type corev1 } from '@tugboat/core';

/** Options of a {@link ProbeManager}. */
export interface ProbeManagerOptions {
  readonly runtime: Runtime;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where `Unhealthy` events go (none: not recorded). */
  readonly recorder?: EventRecorder;
  /** Called whenever a probe result of the pod changes, so the kubelet re-syncs it. */
  readonly onResult: (podUid: string) => void;
}

/** A running container the manager probes; a new `containerId` starts its probes afresh. */
export interface ProbedContainer {
  readonly name: string;
  readonly containerId: string;
  /** When it started, milliseconds since the epoch. */
  readonly startedAt: number;
}

/** SEAM STUB — implemented by the prober owner. */
export class ProbeManager {
  constructor(readonly options: ProbeManagerOptions) {}
  /** Starts and stops probe workers to match the pod's running containers. */
  syncPod(_pod: corev1.Pod, _running: readonly ProbedContainer[], _podIp: string | undefined): void {
    throw new ApiError('Internal', 'not implemented');
  }
  removePod(_podUid: string): void {
    throw new ApiError('Internal', 'not implemented');
  }
  isReady(_podUid: string, _containerName: string): boolean {
    throw new ApiError('Internal', 'not implemented');
  }
  isStarted(_podUid: string, _containerName: string): boolean {
    throw new ApiError('Internal', 'not implemented');
  }
  takeRestart(_podUid: string, _containerName: string, _containerId: string): { readonly message: string } | undefined {
    throw new ApiError('Internal', 'not implemented');
  }
  stop(): void {}
}
