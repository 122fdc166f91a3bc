import { ApiError, type Runtime, type corev1 } from '@tugboat/core';

import type { ContainerLocator, LocatedContainer } from '../server/KubeletServer.js';
import { readRuntimeState, instancesOf } from './runtimeState.js';

/** Where the registry finds pods: the kubelet's view of the pods bound to it. */
export interface PodLookup {
  byName(namespace: string, name: string): corev1.Pod | undefined;
  all(): readonly corev1.Pod[];
}

/**
 * The kubelet's {@link ContainerLocator}: finds the current or previous instance of a pod's
 * container for logs and exec, with upstream's error messages.
 */
export class PodRegistry implements ContainerLocator {
  constructor(
    private readonly lookup: PodLookup,
    private readonly runtime: Runtime,
  ) {}

  pods(): readonly corev1.Pod[] {
    return this.lookup.all();
  }

  async locate(
    namespace: string,
    podName: string,
    containerName: string | undefined,
    previous: boolean,
  ): Promise<LocatedContainer> {
    const pod = this.lookup.byName(namespace, podName);
    if (!pod) throw new ApiError('NotFound', `pod "${podName}" not found`, { name: podName, kind: 'pods' });
    const specs = pod.spec?.containers ?? [];
    const inits = pod.spec?.initContainers ?? [];
    let name = containerName;
    if (!name) {
      if (specs.length === 1 && specs[0]) name = specs[0].name;
      else {
        const names = specs.map((c) => c.name).join(' ');
        const initNames = inits.map((c) => c.name).join(' ');
        throw new ApiError(
          'BadRequest',
          `a container name must be specified for pod ${podName}, choose one of: [${names}]` +
            (initNames ? ` or one of the init containers: [${initNames}]` : ''),
        );
      }
    }
    if (![...specs, ...inits].some((c) => c.name === name))
      throw new ApiError('BadRequest', `container ${name} is not valid for pod ${podName}`);
    const uid = pod.metadata?.uid ?? '';
    const state = await readRuntimeState(this.runtime, uid);
    const [current, prior] = instancesOf(state, name);
    const chosen = previous ? prior : current;
    if (!chosen) {
      if (previous)
        throw new ApiError(
          'BadRequest',
          `previous terminated container "${name}" in pod "${podName}" not found`,
        );
      const statuses = [
        ...(pod.status?.containerStatuses ?? []),
        ...(pod.status?.initContainerStatuses ?? []),
      ];
      const reason = statuses.find((s) => s.name === name)?.state?.waiting?.reason ?? 'ContainerCreating';
      throw new ApiError(
        'BadRequest',
        `container "${name}" in pod "${podName}" is waiting to start: ${reason}`,
      );
    }
    return {
      podUid: uid,
      containerName: name,
      containerId: chosen.id,
      logPath: chosen.logPath,
      running: chosen.state === 'CONTAINER_RUNNING',
    };
  }
}
