import { join } from 'node:path';

import type { corev1 } from '@tugboat/core';

/** The directory of one pod's volumes and state: `<rootDir>/pods/<uid>`. */
export function podDir(rootDir: string, podUid: string): string {
  return join(rootDir, 'pods', podUid);
}

/** The directory a volume of the pod is prepared in: `<rootDir>/pods/<uid>/volumes/<name>`. */
export function volumeDir(rootDir: string, podUid: string, volumeName: string): string {
  return join(podDir(rootDir, podUid), 'volumes', volumeName);
}

/** The sandbox log directory, as upstream's `/var/log/pods/<ns>_<name>_<uid>`. */
export function podLogDir(rootDir: string, pod: corev1.Pod): string {
  const m = pod.metadata ?? {};
  return join(rootDir, 'logs', `${m.namespace ?? 'default'}_${m.name ?? ''}_${m.uid ?? ''}`);
}

/** A container's log file relative to the sandbox log directory: `<container>/<restartCount>.log`. */
export function containerLogPath(containerName: string, attempt: number): string {
  return join(containerName, `${attempt}.log`);
}
