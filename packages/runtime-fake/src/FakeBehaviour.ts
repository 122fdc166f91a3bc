import { normalizeImageRef } from '@tugboat/core';

/** One step of a scripted main process. */
export type FakeStep =
  /** Writes a line (a newline is added) to the container's log. */
  | { readonly log: string; readonly stream?: 'stdout' | 'stderr' }
  /** Waits, on the runtime's clock. */
  | { readonly sleepMs: number }
  /** Ends the process with this exit code. */
  | { readonly exit: number }
  /** Ends the process the way the kernel's OOM killer does: exit 137, reason `OOMKilled`. */
  | { readonly oom: true }
  /** Runs until signalled, costing no timer. */
  | { readonly forever: true }
  /** Repeats steps, `times` times or forever. */
  | { readonly repeat: readonly FakeStep[]; readonly times?: number };

/** What an exec in a scripted container answers. */
export interface FakeExecResult {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
}

/**
 * How a simulated container behaves. Everything is optional: without `steps` the fake interprets
 * the container's command as a small subset of busybox `sh` (see the package README in index.ts).
 */
export interface FakeBehaviour {
  /** The main process; ends with exit 0 after the last step unless a step ends it first. */
  readonly steps?: readonly FakeStep[];
  /** On SIGTERM: die by the signal (143, the default), ignore it (stop then waits for SIGKILL), or exit with a code. */
  readonly onSigterm?: 'die' | 'ignore' | { readonly exitCode: number };
  /** Answers an exec; `undefined` falls back to interpreting the command. */
  readonly exec?: (cmd: readonly string[]) => FakeExecResult | undefined;
  /** What `containerStats` reports (defaults: 1 MiB plus what the process allocated, 1 millicore). */
  readonly stats?: { readonly memoryWorkingSetBytes?: number; readonly cpuNanoCores?: number };
}

/** What a behaviour may depend on: the container being started. */
export interface FakeContainerInfo {
  readonly name: string;
  readonly attempt: number;
  readonly image: string;
  readonly podName: string;
  readonly podNamespace: string;
  readonly command: readonly string[];
}

/** A behaviour, or a function choosing one per container (e.g. by restart attempt). */
export type FakeBehaviourSource = FakeBehaviour | ((info: FakeContainerInfo) => FakeBehaviour);

/**
 * The behaviour registry of a fake runtime: scripts by container name (most specific) or by image.
 * A container matching neither runs its command through the sh-subset interpreter.
 */
export class FakeBehaviours {
  private readonly byName = new Map<string, FakeBehaviourSource>();
  private readonly byImage = new Map<string, FakeBehaviourSource>();
  private readonly normalised = new Map<string, string>();

  private normalise(image: string): string {
    let n = this.normalised.get(image);
    if (n === undefined) {
      try {
        n = normalizeImageRef(image);
      } catch {
        n = image;
      }
      if (this.normalised.size < 10_000) this.normalised.set(image, n);
    }
    return n;
  }

  /** Scripts every container with this name (`metadata.name`), in any pod. */
  forContainer(name: string, behaviour: FakeBehaviourSource): this {
    this.byName.set(name, behaviour);
    return this;
  }

  /** Scripts every container of this image (any spelling of the same reference). */
  forImage(image: string, behaviour: FakeBehaviourSource): this {
    this.byImage.set(normalizeImageRef(image), behaviour);
    return this;
  }

  /** The behaviour for a container, if one was registered. */
  resolve(info: FakeContainerInfo): FakeBehaviour | undefined {
    const source =
      this.byName.get(info.name) ??
      (this.byImage.size > 0 ? this.byImage.get(this.normalise(info.image)) : undefined);
    return typeof source === 'function' ? source(info) : source;
  }
}

/** Ready-made behaviours for the common cases. */
export const behaviours = {
  /** Runs until stopped. */
  runForever: (extra: Omit<FakeBehaviour, 'steps'> = {}): FakeBehaviour => ({
    ...extra,
    steps: [{ forever: true }],
  }),
  /** Exits with `exitCode` after `afterMs`. */
  exitAfter: (
    exitCode: number,
    afterMs: number,
    extra: Omit<FakeBehaviour, 'steps'> = {},
  ): FakeBehaviour => ({
    ...extra,
    steps: [{ sleepMs: afterMs }, { exit: exitCode }],
  }),
  /**
   * Crashes (logs `message`, exits `exitCode` after `afterMs`) on every attempt below
   * `healthyFromAttempt`; from that attempt on, runs forever. Without it, crashes on every attempt.
   */
  crashLoop:
    (options: { exitCode?: number; afterMs?: number; message?: string; healthyFromAttempt?: number } = {}) =>
    (info: FakeContainerInfo): FakeBehaviour =>
      options.healthyFromAttempt !== undefined && info.attempt >= options.healthyFromAttempt
        ? { steps: [{ forever: true }] }
        : {
            steps: [
              { log: options.message ?? `crash (attempt ${info.attempt})`, stream: 'stderr' },
              { sleepMs: options.afterMs ?? 0 },
              { exit: options.exitCode ?? 1 },
            ],
          },
  /** Prints `lines` (one every `intervalMs`), then runs forever or exits with `exitCode`. */
  printLogs: (
    lines: readonly string[],
    options: { intervalMs?: number; exitCode?: number; stream?: 'stdout' | 'stderr' } = {},
  ): FakeBehaviour => ({
    steps: [
      ...lines.flatMap((log): FakeStep[] => [
        ...(options.intervalMs ? [{ sleepMs: options.intervalMs }] : []),
        { log, ...(options.stream ? { stream: options.stream } : {}) },
      ]),
      options.exitCode === undefined ? { forever: true } : { exit: options.exitCode },
    ],
  }),
  /** Is killed by the OOM killer after `afterMs`. */
  oomAfter: (afterMs: number): FakeBehaviour => ({ steps: [{ sleepMs: afterMs }, { oom: true }] }),
  /** Runs forever and answers execs from a table keyed by the command joined with spaces. */
  answerExec: (
    answers: Readonly<Record<string, FakeExecResult>>,
    extra: Omit<FakeBehaviour, 'exec'> = {},
  ): FakeBehaviour => ({
    steps: [{ forever: true }],
    ...extra,
    exec: (cmd) => answers[cmd.join(' ')],
  }),
} as const;
