import {
  ApiError,
  imagePullError,
  imagePullReason,
  normalizeImageRef,
  type AuthConfig,
  type Clock,
  type EventRecorder,
  type Runtime,
  type corev1,
} from '@tugboat/core';

import { ImagePuller, type PullOutcome } from './ImagePuller.js';
import { podKeyring, type PullSecretSources } from './pullSecrets.js';

/** Options of an {@link ImageManager}. */
export interface ImageManagerOptions {
  readonly runtime: Runtime;
  readonly recorder: EventRecorder;
  readonly clock: Clock;
  readonly sources: PullSecretSources;
  /** One pull at a time (default true, as upstream's `serializeImagePulls`). */
  readonly serializeImagePulls?: boolean;
  /** With parallel pulls, at most this many at once; default no limit. */
  readonly maxParallelImagePulls?: number;
  /** Deadline of one pull (default 120 000 ms). */
  readonly imagePullTimeoutMs?: number;
  /** Called after every successful pull (the node status lists images). */
  readonly onPulled?: () => void;
}

/** A successful pull: the image id, its size, and how long it took. */
export interface PulledImage extends PullOutcome {
  readonly size: number | undefined;
}

/** The repository part of an image reference (`127.0.0.1:5000/team/app`), what the keyring is searched with. */
export function repositoryOf(image: string): string {
  const full = normalizeImageRef(image);
  const at = full.indexOf('@');
  const name = at >= 0 ? full.slice(0, at) : full;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

/** What the runtime said of a failed pull, without the `image "x": ` prefix the error's message carries. */
export function pullErrorMessage(err: ApiError): string {
  return err.details.causes?.[0]?.message ?? err.message;
}

/**
 * The kubelet's image puller with credentials, as upstream's `kuberuntime` `PullImage`: builds the
 * pod's keyring from its pull secrets (a bad secret is a `FailedToRetrieveImagePullSecret` warning
 * and is skipped), tries each matching credential in turn and then anonymously, through one
 * {@link ImagePuller} shared by every pod (serial or parallel, de-duplicated, with a deadline).
 */
export class ImageManager {
  readonly puller: ImagePuller;

  constructor(private readonly options: ImageManagerOptions) {
    this.puller = new ImagePuller({
      runtime: options.runtime,
      clock: options.clock,
      serialize: options.serializeImagePulls ?? true,
      ...(options.maxParallelImagePulls !== undefined ? { maxParallel: options.maxParallelImagePulls } : {}),
      ...(options.imagePullTimeoutMs !== undefined ? { timeoutMs: options.imagePullTimeoutMs } : {}),
    });
  }

  /** The credentials `pod` may pull `image` with, most specific first. */
  async credentials(pod: corev1.Pod, image: string): Promise<AuthConfig[]> {
    const { keyring, bad } = await podKeyring(this.options.sources, pod);
    if (bad.length > 0) {
      // Upstream's reason and wording, with why each secret was left out.
      this.options.recorder.event(
        pod,
        'Warning',
        'FailedToRetrieveImagePullSecret',
        `Unable to retrieve some image pull secrets (${bad.map((b) => b.name).join(', ')}); attempting to pull the image may not succeed. ${bad.map((b) => `Secret "${b.name}": ${b.reason}.`).join(' ')}`,
      );
    }
    return keyring.empty ? [] : keyring.lookup(repositoryOf(image));
  }

  /**
   * Pulls `image` for `pod`: with each matching credential in turn, then anonymously. Rejects with
   * an `ImagePull` error whose message lists every attempt's error (upstream's aggregate form
   * `[a, b]` when there was more than one).
   */
  async pull(pod: corev1.Pod, image: string): Promise<PulledImage> {
    const attempts: (AuthConfig | undefined)[] = [...(await this.credentials(pod, image)), undefined];
    const errors: ApiError[] = [];
    for (const auth of attempts) {
      try {
        const outcome = await this.puller.pull(image, auth);
        this.options.onPulled?.();
        const status = await this.options.runtime.imageStatus(image).catch(() => undefined);
        return { ...outcome, size: status?.size };
      } catch (err) {
        if (!ApiError.is(err, 'ImagePull')) throw err;
        errors.push(err);
        // A reference that does not parse fails the same way with any credentials.
        if (imagePullReason(err) === 'InvalidImageName') break;
      }
    }
    const first = errors[0];
    if (errors.length === 1 && first) throw first;
    const last = errors[errors.length - 1];
    throw imagePullError(
      image,
      last ? (imagePullReason(last) ?? 'Unavailable') : 'Unavailable',
      `[${errors.map(pullErrorMessage).join(', ')}]`,
    );
  }
}
