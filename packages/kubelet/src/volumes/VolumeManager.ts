import { ApiError, type ApiClient, type Clock, type Logger, type Mount, type corev1 } from '@tugboat/core';

/** Options of a {@link VolumeManager}. */
export interface VolumeManagerOptions {
  readonly client: ApiClient;
  readonly rootDir: string;
  readonly nodeName: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** SEAM STUB — implemented by the volumes owner. */
export class VolumeManager {
  constructor(readonly options: VolumeManagerOptions) {}
  /** Makes every volume of the pod ready on the host; resolves each volume's host path by name. */
  setupPod(_pod: corev1.Pod): Promise<ReadonlyMap<string, string>> {
    return Promise.reject(new ApiError('Internal', 'not implemented'));
  }
  /** Removes the pod's directory and everything in it. Idempotent. */
  teardownPod(_podUid: string): Promise<void> {
    return Promise.reject(new ApiError('Internal', 'not implemented'));
  }
  /** The uids of pods that have a directory on disk (to clean up after a restart). */
  listPodUids(): Promise<string[]> {
    return Promise.reject(new ApiError('Internal', 'not implemented'));
  }
}

/** SEAM STUB: the runtime mounts of a container from its volumeMounts. */
export function containerMounts(
  _pod: corev1.Pod,
  _container: corev1.Container,
  _volumePaths: ReadonlyMap<string, string>,
): Mount[] {
  throw new ApiError('Internal', 'not implemented');
}
