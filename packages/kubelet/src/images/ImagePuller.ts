import { imagePullError, type AuthConfig, type Clock, type Runtime, type TimerHandle } from '@tugboat/core';

/** Options of an {@link ImagePuller}. */
export interface ImagePullerOptions {
  readonly runtime: Runtime;
  readonly clock: Clock;
  /** One pull at a time (upstream's `serializeImagePulls`, default true). */
  readonly serialize?: boolean;
  /** With `serialize: false`, at most this many pulls at once (upstream's `maxParallelImagePulls`); default no limit. */
  readonly maxParallel?: number;
  /**
   * How long one pull may take once started before it fails with `ImagePull`/`Unavailable` and
   * frees its slot; default 120 000 ms (upstream's `runtimeRequestTimeout`).
   */
  readonly timeoutMs?: number;
}

/** What one pull attempt produced. */
export interface PullOutcome {
  /** The image id the runtime reports. */
  readonly imageRef: string;
  /** Milliseconds the pull itself ran. */
  readonly pullMs: number;
  /** Milliseconds from the request, including the wait for a slot (or for a shared pull). */
  readonly totalMs: number;
}

/**
 * Runs image pulls for the kubelet's pod workers as upstream's serial/parallel image puller: in
 * order, one at a time or up to a limit; requests for the same image with the same credentials
 * share one pull; each pull has a deadline, after which its requesters fail and the next pull
 * starts even if the runtime is still busy with it, so a hung registry holds back no other pod
 * for longer than the deadline.
 */
export class ImagePuller {
  private readonly inflight = new Map<string, Promise<{ imageRef: string; pullMs: number }>>();
  private readonly waiters: (() => void)[] = [];
  private running = 0;

  constructor(private readonly options: ImagePullerOptions) {}

  private get limit(): number {
    if (this.options.serialize ?? true) return 1;
    return Math.max(1, this.options.maxParallel ?? Number.POSITIVE_INFINITY);
  }

  /** Pulls `image` with `auth` (or anonymously), joining a pull of the same image and credentials already under way. */
  async pull(image: string, auth?: AuthConfig): Promise<PullOutcome> {
    const requested = this.options.clock.now();
    const key = JSON.stringify([image, auth ?? null]);
    let shared = this.inflight.get(key);
    if (!shared) {
      shared = this.queued(image, auth).finally(() => this.inflight.delete(key));
      this.inflight.set(key, shared);
    }
    const { imageRef, pullMs } = await shared;
    return { imageRef, pullMs, totalMs: this.options.clock.now() - requested };
  }

  /** How many pulls are running (for tests and diagnostics). */
  get active(): number {
    return this.running;
  }

  private async queued(
    image: string,
    auth: AuthConfig | undefined,
  ): Promise<{ imageRef: string; pullMs: number }> {
    // A finished pull hands its slot straight to the next waiter, so no newcomer can slip in between.
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.running++;
    try {
      const started = this.options.clock.now();
      const imageRef = await this.withDeadline(image, this.options.runtime.pullImage(image, auth));
      return { imageRef, pullMs: this.options.clock.now() - started };
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.running--;
    }
  }

  private async withDeadline(image: string, pull: Promise<string>): Promise<string> {
    const ms = this.options.timeoutMs ?? 120_000;
    const { clock } = this.options;
    let timer: TimerHandle | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(() => {
        reject(
          imagePullError(
            image,
            'Unavailable',
            `the pull did not finish within ${ms / 1000}s (the kubelet's image pull deadline)`,
          ),
        );
      }, ms);
    });
    try {
      // The race also handles a rejection of a pull that outlives its deadline.
      return await Promise.race([pull, deadline]);
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
    }
  }
}
