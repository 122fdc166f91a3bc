import { metaTime } from '@tugboat/core';
import type { ContainerStatus, corev1 } from '@tugboat/core';

import { restartCountOf } from './runtimeLabels.js';
import { instancesOf, type PodRuntimeState } from './runtimeState.js';
import type { Waiting } from './computePodActions.js';

/** What the container statuses are built from beside the runtime state. */
export interface ContainerStatusContext {
  readonly state: PodRuntimeState;
  readonly waiting: ReadonlyMap<string, Waiting>;
  readonly runtimeName: string;
  readonly isReady: (name: string) => boolean;
  readonly isStarted: (name: string) => boolean;
  /** The waiting reason of a container that has not run yet (ContainerCreating, PodInitializing). */
  readonly defaultWaiting: string;
}

function terminated(c: ContainerStatus, runtimeName: string): corev1.ContainerStateTerminated {
  const t: corev1.ContainerStateTerminated = {
    exitCode: c.state === 'CONTAINER_EXITED' ? c.exitCode : 128,
    reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
    containerID: `${runtimeName}://${c.id}`,
  };
  if (c.message) t.message = c.message;
  if (c.startedAt > 0) t.startedAt = metaTime(c.startedAt);
  t.finishedAt = metaTime(c.finishedAt > 0 ? c.finishedAt : c.createdAt);
  return t;
}

/**
 * The API status of one container, as upstream's `convertToAPIContainerStatuses`: the newest
 * instance's state (or the waiting reason the last sync left), the newest exited instance as
 * `lastState`, readiness from the prober, and the restart count stored on the instance.
 */
export function containerStatus(spec: corev1.Container, ctx: ContainerStatusContext): corev1.ContainerStatus {
  const all = instancesOf(ctx.state, spec.name);
  const [newest, older] = all;
  const wait = ctx.waiting.get(spec.name);
  const status: corev1.ContainerStatus = {
    name: spec.name,
    image: spec.image ?? '',
    imageID: newest?.imageRef ?? '',
    ready: false,
    restartCount: newest ? restartCountOf(newest.annotations) : 0,
    started: false,
    state: {},
    lastState: {},
  };
  if (newest) status.containerID = `${ctx.runtimeName}://${newest.id}`;
  if (newest?.state === 'CONTAINER_RUNNING') {
    status.state = { running: { startedAt: metaTime(newest.startedAt || newest.createdAt) } };
    status.ready = ctx.isReady(spec.name);
    status.started = ctx.isStarted(spec.name);
    if (older) status.lastState = { terminated: terminated(older, ctx.runtimeName) };
    return status;
  }
  if (wait) {
    status.state = { waiting: { reason: wait.reason, ...(wait.message ? { message: wait.message } : {}) } };
    if (newest) status.lastState = { terminated: terminated(newest, ctx.runtimeName) };
    return status;
  }
  if (newest && newest.state !== 'CONTAINER_CREATED') {
    status.state = { terminated: terminated(newest, ctx.runtimeName) };
    if (older) status.lastState = { terminated: terminated(older, ctx.runtimeName) };
    return status;
  }
  status.state = { waiting: { reason: ctx.defaultWaiting } };
  if (older) status.lastState = { terminated: terminated(older, ctx.runtimeName) };
  return status;
}
