import type Docker from 'dockerode';
import type {
  Container,
  ContainerState,
  ContainerStatus,
  PodSandbox,
  PodSandboxState,
  PodSandboxStatus,
} from '@tugboat/core';

import { decodeUserLabels, labelKeys, labelsOf } from './labels.js';

type Labels = Readonly<Record<string, string>>;

/** A container's CRI state from Docker's state string (`created`, `running`, `exited`, …). */
export function containerState(docker: string | undefined): ContainerState {
  switch (docker ?? '') {
    case 'created':
      return 'CONTAINER_CREATED';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'CONTAINER_RUNNING';
    case 'exited':
    case 'dead':
    case 'removing':
      return 'CONTAINER_EXITED';
    default:
      return 'CONTAINER_UNKNOWN';
  }
}

function sandboxState(docker: string | undefined): PodSandboxState {
  return docker === 'running' ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY';
}

function int(value: string | undefined): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** Milliseconds since the epoch from a Docker time string; 0 for Docker's zero time. */
export function millis(value: string | undefined): number {
  if (!value || value.startsWith('0001-')) return 0;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? 0 : ms;
}

function sandboxFrom(
  id: string,
  labels: Labels,
  dockerState: string | undefined,
  created: number,
): PodSandbox {
  const user = decodeUserLabels(labels);
  return {
    id,
    metadata: {
      name: labels[labelKeys.podName] ?? '',
      uid: labels[labelKeys.podUid] ?? '',
      namespace: labels[labelKeys.podNamespace] ?? '',
      attempt: int(labels[labelKeys.podAttempt]),
    },
    state: sandboxState(dockerState),
    createdAt: int(labels[labelKeys.createdAt]) || created,
    labels: user.labels,
    annotations: user.annotations,
  };
}

/** A sandbox as listed, from a pause container in Docker's list. */
export function sandboxFromList(info: Docker.ContainerInfo): PodSandbox {
  return sandboxFrom(info.Id, info.Labels, info.State, info.Created * 1000);
}

/** A sandbox's status, from its inspected pause container. */
export function sandboxFromInspect(info: Docker.ContainerInspectInfo): PodSandboxStatus {
  const labels = labelsOf(info.Config);
  const base = sandboxFrom(info.Id, labels, info.State.Status, millis(info.Created));
  const ip = (info.NetworkSettings as { IPAddress?: string }).IPAddress || bridgeIp(info);
  return ip && labels[labelKeys.hostNetwork] !== 'true' && base.state === 'SANDBOX_READY'
    ? { ...base, ip }
    : base;
}

function bridgeIp(info: Docker.ContainerInspectInfo): string | undefined {
  for (const net of Object.values(
    (info.NetworkSettings.Networks as Docker.ContainerInspectInfo['NetworkSettings']['Networks'] | null) ??
      {},
  ))
    if (net.IPAddress) return net.IPAddress;
  return undefined;
}

function containerFrom(
  id: string,
  labels: Labels,
  dockerState: string | undefined,
  imageId: string,
  created: number,
): Container {
  const user = decodeUserLabels(labels);
  return {
    id,
    podSandboxId: labels[labelKeys.sandboxId] ?? '',
    metadata: {
      name: labels[labelKeys.containerName] ?? '',
      attempt: int(labels[labelKeys.containerAttempt]),
    },
    image: labels[labelKeys.image] ?? '',
    imageRef: imageId,
    state: containerState(dockerState),
    createdAt: int(labels[labelKeys.createdAt]) || created,
    labels: user.labels,
    annotations: user.annotations,
  };
}

/** A container as listed. */
export function containerFromList(info: Docker.ContainerInfo): Container {
  return containerFrom(info.Id, info.Labels, info.State, info.ImageID, info.Created * 1000);
}

/** A container's full status from its inspection. */
export function containerFromInspect(info: Docker.ContainerInspectInfo): ContainerStatus {
  const labels = labelsOf(info.Config);
  // A failed start leaves Docker's container `created` with the error; CRI calls that exited.
  const startError = info.State.Status === 'created' && Boolean(info.State.Error);
  const base = containerFrom(
    info.Id,
    labels,
    startError ? 'exited' : info.State.Status,
    info.Image,
    millis(info.Created),
  );
  const exited = base.state === 'CONTAINER_EXITED';
  const reason = !exited
    ? undefined
    : startError
      ? 'StartError'
      : info.State.OOMKilled
        ? 'OOMKilled'
        : info.State.ExitCode === 0
          ? 'Completed'
          : 'Error';
  const startedAt = millis(info.State.StartedAt);
  return {
    ...base,
    startedAt,
    // Docker records the two times from different clocks reads; a very short process can appear
    // to finish a millisecond before it started. Never report time running backwards.
    finishedAt: exited ? Math.max(millis(info.State.FinishedAt), startedAt) : 0,
    exitCode: exited ? info.State.ExitCode : 0,
    ...(reason !== undefined ? { reason } : {}),
    ...(exited && info.State.Error ? { message: info.State.Error } : {}),
    logPath: labels[labelKeys.logPath] ?? '',
  };
}
