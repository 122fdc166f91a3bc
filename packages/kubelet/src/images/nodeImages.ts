import { ApiError, resources, type Clock, type EventRecorder, type Logger, type corev1 } from '@tugboat/core';

import type { KubeletOptions } from '../KubeletOptions.js';
import { ImageGcManager } from './ImageGcManager.js';
import { ImageManager } from './ImageManager.js';

/** The sandbox image of the project's containerd and Docker runtimes, never garbage-collected. */
export const tugboatSandboxImage = 'docker.io/tugboat/pause:1.0';

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (ApiError.is(err, 'NotFound')) return undefined;
    throw err;
  }
}

/** The image side of a kubelet: the pull manager every pod worker shares, and the image GC. */
export interface NodeImages {
  readonly images: ImageManager;
  /** Undefined when `imageGc: false`. */
  readonly gc: ImageGcManager | undefined;
}

/**
 * Builds a kubelet's {@link ImageManager} (pull secrets read through the API) and
 * {@link ImageGcManager} from its options; `changed` runs after a pull or a collection, since the
 * node status lists images.
 */
export function nodeImages(
  options: KubeletOptions,
  parts: { recorder: EventRecorder; clock: Clock; logger: Logger; changed: () => void },
): NodeImages {
  const { client, runtime, nodeName } = options;
  const images = new ImageManager({
    runtime,
    recorder: parts.recorder,
    clock: parts.clock,
    sources: {
      getSecret: (namespace, name) => orUndefined(client.get(resources.Secrets, name, { namespace })),
      getServiceAccount: (namespace, name) =>
        orUndefined(client.get(resources.ServiceAccounts, name, { namespace })),
    },
    ...(options.serializeImagePulls !== undefined
      ? { serializeImagePulls: options.serializeImagePulls }
      : {}),
    ...(options.maxParallelImagePulls !== undefined
      ? { maxParallelImagePulls: options.maxParallelImagePulls }
      : {}),
    ...(options.imagePullTimeoutMs !== undefined ? { imagePullTimeoutMs: options.imagePullTimeoutMs } : {}),
    onPulled: parts.changed,
  });
  if (options.imageGc === false) return { images, gc: undefined };
  const node: corev1.Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, uid: nodeName } };
  const gc = new ImageGcManager({
    ...options.imageGc,
    // The Runtime contract does not say which image sandboxes run; removing it would stop new pods.
    pinnedImages: [...(options.imageGc?.pinnedImages ?? []), tugboatSandboxImage],
    runtime,
    clock: parts.clock,
    logger: parts.logger,
    rootDir: options.rootDir,
    recorder: parts.recorder,
    node,
    onRemoved: parts.changed,
  });
  return { images, gc };
}
