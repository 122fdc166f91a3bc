import { join } from 'node:path';

import { podDir } from '../internal/paths.js';

/**
 * The host file mounted at a container's `terminationMessagePath`:
 * `<rootDir>/pods/<uid>/containers/<name>/termination-log`. The kubelet reads a container's
 * termination message from it after the container exits; {@link containerMounts} empties it
 * before each new instance starts.
 */
export function terminationMessageFile(rootDir: string, podUid: string, containerName: string): string {
  return terminationMessageFileIn(podDir(rootDir, podUid), containerName);
}

/** {@link terminationMessageFile} given the pod's directory itself. */
export function terminationMessageFileIn(podDirectory: string, containerName: string): string {
  return join(podDirectory, 'containers', containerName, 'termination-log');
}
