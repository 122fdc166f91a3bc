import { ApiError, normalizeImageRef, type EventRecorder, type Runtime, type corev1 } from '@tugboat/core';

import { goDuration } from '../images/goDuration.js';
import { pullErrorMessage, type ImageManager } from '../images/ImageManager.js';
import type { Backoff } from './Backoff.js';
import type { Waiting } from './computePodActions.js';

/** The outcome of {@link ensureImage}: the image is there, or why the container waits (and for how long). */
export type ImageResult =
  { readonly ok: true } | { readonly ok: false; readonly waiting: Waiting; readonly retryAfterMs: number };

/** What {@link ensureImage} needs from the kubelet. */
export interface ImagePullContext {
  readonly runtime: Runtime;
  readonly recorder: EventRecorder;
  readonly backoff: Backoff;
  readonly now: () => number;
  /** Pulls with the pod's credentials, shared by every pod of the node. */
  readonly images: ImageManager;
}

/** Upstream's default when the apiserver did not set one: `Always` for `:latest` or no tag, else `IfNotPresent`. */
function defaultPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.split('/').pop() ?? image;
  const tag = lastPart.includes(':') ? lastPart.split(':').pop() : undefined;
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Why `image` does not parse, or undefined when it does. */
function invalidReason(image: string): string | undefined {
  try {
    normalizeImageRef(image);
    return undefined;
  } catch (err) {
    if (!ApiError.is(err, 'ImagePull')) throw err;
    return pullErrorMessage(err);
  }
}

/**
 * Makes a container's image present under its `imagePullPolicy`, as upstream's image manager
 * (`EnsureImageExists`): a reference that does not parse is InvalidImageName; a present image is
 * used (`IfNotPresent`, `Never`); a missing one with `Never` is ErrImageNeverPull; otherwise the
 * image is pulled with the pod's credentials (events Pulling/Pulled with time and size), and a
 * failed pull is ErrImagePull, then ImagePullBackOff while the pull backoff runs.
 */
export async function ensureImage(
  ctx: ImagePullContext,
  pod: corev1.Pod,
  container: corev1.Container,
): Promise<ImageResult> {
  const image = container.image ?? '';
  const policy = container.imagePullPolicy ?? defaultPolicy(image);
  const key = `${pod.metadata?.uid ?? ''}/image/${image}`;
  const now = ctx.now();
  const invalid = invalidReason(image);
  if (invalid !== undefined) {
    const message = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${invalid}`;
    ctx.recorder.event(pod, 'Warning', 'InspectFailed', message);
    return { ok: false, waiting: { reason: 'InvalidImageName', message }, retryAfterMs: 0 };
  }
  let present: boolean;
  try {
    present = policy !== 'Always' && (await ctx.runtime.imageStatus(image)) !== undefined;
  } catch (err) {
    if (!ApiError.is(err, 'ImagePull')) throw err;
    const message = `Failed to inspect image "${image}": ${pullErrorMessage(err)}`;
    ctx.recorder.event(pod, 'Warning', 'InspectFailed', message);
    return { ok: false, waiting: { reason: 'ImageInspectError', message }, retryAfterMs: 0 };
  }
  if (present) {
    ctx.recorder.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    return { ok: true };
  }
  if (policy === 'Never') {
    const message = `Container image "${image}" is not present with pull policy of Never`;
    ctx.recorder.event(pod, 'Warning', 'ErrImageNeverPull', message);
    return { ok: false, waiting: { reason: 'ErrImageNeverPull', message }, retryAfterMs: 0 };
  }
  const remaining = ctx.backoff.remainingSinceUpdate(key, now);
  if (remaining > 0) {
    const message = `Back-off pulling image "${image}"`;
    ctx.recorder.event(pod, 'Normal', 'BackOff', message);
    ctx.recorder.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
    return { ok: false, waiting: { reason: 'ImagePullBackOff', message }, retryAfterMs: remaining };
  }
  ctx.recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
  let pulled;
  try {
    pulled = await ctx.images.pull(pod, image);
  } catch (err) {
    // A runtime that does not answer is the pod worker's to retry, not a pull failure.
    if (!ApiError.is(err) || err.code === 'Unavailable' || err.code === 'Timeout') throw err;
    const delay = ctx.backoff.next(key, ctx.now());
    const message = `Failed to pull image "${image}": ${pullErrorMessage(err)}`;
    ctx.recorder.event(pod, 'Warning', 'Failed', message);
    ctx.recorder.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
    // Sync again while the backoff still runs, so the status moves on to ImagePullBackOff as upstream's does.
    return { ok: false, waiting: { reason: 'ErrImagePull', message }, retryAfterMs: Math.ceil(delay / 2) };
  }
  ctx.backoff.reset(key);
  ctx.recorder.event(
    pod,
    'Normal',
    'Pulled',
    `Successfully pulled image "${image}" in ${goDuration(pulled.pullMs)} (${goDuration(pulled.totalMs)} including waiting). Image size: ${pulled.size ?? 0} bytes.`,
  );
  return { ok: true };
}
