import { ApiError, type EventRecorder, type Runtime, type corev1 } from '@tugboat/core';

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
}

function defaultPolicy(image: string): string {
  const lastPart = image.split('/').pop() ?? image;
  if (image.includes('@')) return 'IfNotPresent';
  const tag = lastPart.includes(':') ? lastPart.split(':').pop() : undefined;
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function seconds(ms: number): string {
  return `${Math.round(ms) / 1000}s`;
}

/**
 * Makes a container's image present under its `imagePullPolicy`, as upstream's image manager:
 * events Pulling/Pulled, and on failure the waiting reason ErrImagePull, then ImagePullBackOff
 * while the pull backoff runs.
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
  let present: boolean;
  try {
    present = policy !== 'Always' && (await ctx.runtime.imageStatus(image)) !== undefined;
  } catch (err) {
    if (!ApiError.is(err, 'ImagePull')) throw err;
    const message = `Failed to apply default image tag "${image}": ${err.message}`;
    ctx.recorder.event(pod, 'Warning', 'InspectFailed', message);
    return { ok: false, waiting: { reason: 'InvalidImageName', message }, retryAfterMs: 0 };
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
  const started = ctx.now();
  try {
    await ctx.runtime.pullImage(image);
  } catch (err) {
    if (!ApiError.is(err)) throw err;
    if (err.code === 'Unavailable' || err.code === 'Timeout') throw err;
    const delay = ctx.backoff.next(key, ctx.now());
    const message = `Failed to pull image "${image}": ${err.message}`;
    ctx.recorder.event(pod, 'Warning', 'Failed', message);
    ctx.recorder.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
    // Sync again while the backoff still runs, so the status moves on to ImagePullBackOff as upstream's does.
    return { ok: false, waiting: { reason: 'ErrImagePull', message }, retryAfterMs: Math.ceil(delay / 2) };
  }
  ctx.backoff.reset(key);
  const took = seconds(ctx.now() - started);
  ctx.recorder.event(
    pod,
    'Normal',
    'Pulled',
    `Successfully pulled image "${image}" in ${took} (${took} including waiting)`,
  );
  return { ok: true };
}
