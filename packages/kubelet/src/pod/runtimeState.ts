import {
  ApiError,
  type ContainerStatus,
  type PodSandbox,
  type PodSandboxStatus,
  type Runtime,
} from '@tugboat/core';

import { restartCountOf, runtimeLabels } from './runtimeLabels.js';

/** What the runtime holds of one pod: its sandboxes and container instances, newest first. */
export interface PodRuntimeState {
  /** Every sandbox of the pod, newest first. */
  readonly sandboxes: readonly PodSandbox[];
  /** The status (with the IP) of the newest sandbox. */
  readonly current: PodSandboxStatus | undefined;
  /** Every container instance of the pod, newest first (by restart count, then creation). */
  readonly containers: readonly ContainerStatus[];
}

/** The empty state: a pod the runtime knows nothing of. */
export const noRuntimeState: PodRuntimeState = { sandboxes: [], current: undefined, containers: [] };

/** The container name a runtime container was created for. */
export function nameOf(c: {
  readonly labels: Readonly<Record<string, string>>;
  readonly metadata: { readonly name: string };
}): string {
  return c.labels[runtimeLabels.containerName] ?? c.metadata.name;
}

/** Instances of container `name`, newest first; only those in `sandboxId` when given. */
export function instancesOf(state: PodRuntimeState, name: string, sandboxId?: string): ContainerStatus[] {
  return state.containers.filter(
    (c) => nameOf(c) === name && (sandboxId === undefined || c.podSandboxId === sandboxId),
  );
}

/** Reads a pod's sandboxes and containers (by the pod uid label) with their statuses. */
export async function readRuntimeState(runtime: Runtime, podUid: string): Promise<PodRuntimeState> {
  const selector = { [runtimeLabels.podUid]: podUid };
  const [sandboxes, listed] = await Promise.all([
    runtime.listPodSandboxes({ labelSelector: selector }),
    runtime.listContainers({ labelSelector: selector }),
  ]);
  sandboxes.sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt);
  const newest = sandboxes[0];
  const current = newest ? await ignoreGone(runtime.podSandboxStatus(newest.id)) : undefined;
  const statuses = await Promise.all(listed.map((c) => ignoreGone(runtime.containerStatus(c.id))));
  const containers = statuses.filter((c): c is ContainerStatus => c !== undefined);
  containers.sort(
    (a, b) => restartCountOf(b.annotations) - restartCountOf(a.annotations) || b.createdAt - a.createdAt,
  );
  return { sandboxes, current, containers };
}

/** A runtime object removed between list and status is simply not there. */
async function ignoreGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (ApiError.is(err, 'NotFound')) return undefined;
    throw err;
  }
}
