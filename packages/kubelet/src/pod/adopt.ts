import type { Logger, Runtime } from '@tugboat/core';

import { runtimeLabels } from './runtimeLabels.js';
import type { PodVolumes } from './seams.js';

/**
 * Restart safety, run once at start before any sync: sandboxes and containers of pods still bound
 * here are left as they are (the first sync adopts them by their labels; running containers are
 * not restarted), those of pods that are gone are removed, and so are their volume directories.
 * Sandboxes and containers labelled for another node are never touched.
 */
export async function adopt(
  runtime: Runtime,
  volumes: PodVolumes,
  bound: ReadonlySet<string>,
  nodeName: string,
  log: Logger,
): Promise<{ adopted: number; removed: number }> {
  // Only what this node made: other kubelets may share the runtime.
  const mine = { labelSelector: { [runtimeLabels.nodeName]: nodeName } };
  const [sandboxes, containers] = await Promise.all([
    runtime.listPodSandboxes(mine),
    runtime.listContainers(mine),
  ]);
  const adopted = new Set<string>();
  let removed = 0;
  for (const sb of sandboxes) {
    const uid = sb.labels[runtimeLabels.podUid];
    if (uid === undefined) continue;
    if (bound.has(uid)) {
      adopted.add(uid);
      continue;
    }
    log.info('removing the sandbox of a pod that is gone', { uid, sandbox: sb.id });
    await runtime.stopPodSandbox(sb.id);
    await runtime.removePodSandbox(sb.id);
    removed++;
  }
  // Containers whose sandbox vanished on its own are orphans too.
  for (const c of containers) {
    const uid = c.labels[runtimeLabels.podUid];
    if (uid !== undefined && !bound.has(uid)) await runtime.removeContainer(c.id);
  }
  for (const uid of await volumes.listPodUids()) if (!bound.has(uid)) await volumes.teardownPod(uid);
  return { adopted: adopted.size, removed };
}
