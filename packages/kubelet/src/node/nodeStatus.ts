import { metaTime } from '@tugboat/core';
import { isDeepStrictEqual } from 'node:util';

import type { corev1, Image } from '@tugboat/core';

import type { HostInfo } from './hostInfo.js';

/**
 * The kubelet version this node reports. kubectl (`get nodes` VERSION column, version-skew
 * warnings) and clients compare it with the apiserver's, so it names the Kubernetes release whose
 * API Tugboat serves rather than Tugboat's own version.
 */
export const kubeletVersion = 'v1.32.0';

/** Upstream's `nodeStatusMaxImages`: a node lists at most this many images, largest first. */
export const maxImagesInNodeStatus = 50;
// Upstream's `maxNamesPerImageInNodeStatus`.
const maxNamesPerImage = 5;

/** What the runtime answered on the last look: its version, or why it did not answer. */
export type RuntimeObservation =
  | {
      readonly ok: true;
      readonly runtimeName: string;
      readonly runtimeVersion: string;
      readonly images: readonly Image[];
    }
  | { readonly ok: false; readonly error: string };

/** Everything a node status is computed from. */
export interface NodeStatusInputs {
  readonly nodeName: string;
  readonly address: string;
  readonly kubeletPort: number;
  readonly host: HostInfo;
  /** Overrides of the host's capacity (simulated nodes). */
  readonly capacity?: Readonly<Record<string, string>> | undefined;
  readonly runtime: RuntimeObservation;
}

/** The standard labels of a node, plus `extra` (which win). */
export function nodeLabels(
  nodeName: string,
  host: HostInfo,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': host.architecture,
    'beta.kubernetes.io/os': host.operatingSystem,
    'kubernetes.io/arch': host.architecture,
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': host.operatingSystem,
    ...extra,
  };
}

function imagesOf(images: readonly Image[]): corev1.ContainerImage[] {
  return [...images]
    .sort((a, b) => b.size - a.size)
    .map((image) => ({
      // Upstream lists digests before tags.
      names: [...image.repoDigests, ...image.repoTags].slice(0, maxNamesPerImage),
      sizeBytes: image.size,
    }))
    .filter((image) => image.names.length > 0)
    .slice(0, maxImagesInNodeStatus);
}

function ourConditions(runtime: RuntimeObservation): corev1.NodeCondition[] {
  return [
    {
      type: 'MemoryPressure',
      status: 'False',
      reason: 'KubeletHasSufficientMemory',
      message: 'kubelet has sufficient memory available',
    },
    {
      type: 'DiskPressure',
      status: 'False',
      reason: 'KubeletHasNoDiskPressure',
      message: 'kubelet has no disk pressure',
    },
    {
      type: 'PIDPressure',
      status: 'False',
      reason: 'KubeletHasSufficientPID',
      message: 'kubelet has sufficient PID available',
    },
    runtime.ok
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : {
          type: 'Ready',
          status: 'False',
          reason: 'KubeletNotReady',
          message: `container runtime is down: ${runtime.error}`,
        },
  ];
}

/**
 * The node status the kubelet wants, given the last stored one: its own conditions (a condition
 * keeps its `lastTransitionTime` while its status stays), capacity, addresses, endpoints, system
 * info and images. What others wrote (other conditions, other fields) is kept. While the runtime
 * does not answer, its version and the image list stay as last seen.
 */
export function desiredNodeStatus(
  inputs: NodeStatusInputs,
  previous: corev1.NodeStatus | undefined,
  nowMs: number,
): corev1.NodeStatus {
  const now = metaTime(nowMs);
  const { host, runtime } = inputs;
  const capacity = { ...host.capacity, ...inputs.capacity };
  const mine = ourConditions(runtime);
  const conditions: corev1.NodeCondition[] = mine.map((c) => {
    const old = previous?.conditions?.find((p) => p.type === c.type);
    return {
      ...c,
      lastHeartbeatTime: now,
      lastTransitionTime: old?.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now,
    };
  });
  for (const other of previous?.conditions ?? []) {
    if (!mine.some((c) => c.type === other.type)) conditions.push(other);
  }
  const previousRuntimeVersion = previous?.nodeInfo?.containerRuntimeVersion;
  const status: corev1.NodeStatus = {
    ...previous,
    capacity,
    allocatable: { ...capacity },
    conditions,
    addresses: [
      { type: 'InternalIP', address: inputs.address },
      { type: 'Hostname', address: inputs.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: inputs.kubeletPort } },
    nodeInfo: {
      machineID: host.machineID,
      systemUUID: host.systemUUID,
      bootID: host.bootID,
      kernelVersion: host.kernelVersion,
      osImage: host.osImage,
      containerRuntimeVersion: runtime.ok
        ? `${runtime.runtimeName}://${runtime.runtimeVersion}`
        : (previousRuntimeVersion ?? ''),
      kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: host.operatingSystem,
      architecture: host.architecture,
    },
  };
  if (runtime.ok) status.images = imagesOf(runtime.images);
  return status;
}

function withoutHeartbeats(status: corev1.NodeStatus | undefined): unknown {
  if (status === undefined) return undefined;
  return {
    ...status,
    conditions: (status.conditions ?? []).map((c) => {
      const copy = { ...c };
      delete copy.lastHeartbeatTime;
      return copy;
    }),
  };
}

/**
 * True when two JSON values are equal, whatever their key order. Objects are compared as JSON
 * because what the client returns may come from another realm (structured clones), whose
 * prototypes a strict deep comparison tells apart.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
  return isDeepStrictEqual(plain(a), plain(b));
}

/** True when two statuses differ in more than their heartbeat times. */
export function statusChanged(a: corev1.NodeStatus | undefined, b: corev1.NodeStatus | undefined): boolean {
  return !sameJson(withoutHeartbeats(a), withoutHeartbeats(b));
}
