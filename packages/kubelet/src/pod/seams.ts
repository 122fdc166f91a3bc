import type { Mount, corev1 } from '@tugboat/core';

import type { EnvContext } from '../env/containerEnv.js';
import type { ProbedContainer } from '../prober/ProbeManager.js';

/** What the pod lifecycle needs of the prober (the `ProbeManager`'s shape). */
export interface PodProber {
  syncPod(pod: corev1.Pod, running: readonly ProbedContainer[], podIp: string | undefined): void;
  removePod(podUid: string): void;
  isReady(podUid: string, containerName: string): boolean;
  isStarted(podUid: string, containerName: string): boolean;
  takeRestart(
    podUid: string,
    containerName: string,
    containerId: string,
  ): { readonly message: string } | undefined;
  stop(): void;
}

/** What the pod lifecycle needs of the volume manager (the `VolumeManager`'s shape). */
export interface PodVolumes {
  setupPod(pod: corev1.Pod): Promise<ReadonlyMap<string, string>>;
  teardownPod(podUid: string): Promise<void>;
  listPodUids(): Promise<string[]>;
}

/** What the kubelet needs of the node status manager. */
export interface NodeStatus {
  start(): Promise<void>;
  requestUpdate(): void;
  stop(): Promise<void>;
}

/** Builds a container's environment (the `containerEnv` seam). */
export type EnvBuilder = (
  pod: corev1.Pod,
  container: corev1.Container,
  context: EnvContext,
) => Promise<{ key: string; value: string }[]>;

/** Builds a container's mounts (the `containerMounts` seam). */
export type MountBuilder = (
  pod: corev1.Pod,
  container: corev1.Container,
  volumePaths: ReadonlyMap<string, string>,
) => Mount[] | Promise<Mount[]>;

/**
 * The collaborators the pod lifecycle calls, each replaceable: the kubelet builds the real ones
 * from its options; tests substitute trivial ones to exercise the lifecycle on its own.
 */
export interface KubeletDeps {
  readonly prober: (onResult: (podUid: string) => void) => PodProber;
  readonly volumes: () => PodVolumes;
  readonly nodeStatus: (kubeletPort: number) => NodeStatus;
  readonly env: EnvBuilder;
  readonly mounts: MountBuilder;
}
