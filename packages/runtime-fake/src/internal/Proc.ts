import type { FakeClock, TimerHandle } from '../FakeClock.js';

/** How a simulated process ended. */
export interface ExitInfo {
  readonly exitCode: number;
  readonly reason?: 'OOMKilled' | 'StartError';
  readonly message?: string;
}

/** Thrown inside a process body to end it at once (exit, OOM kill). */
export class ExitNow extends Error {
  constructor(readonly info: ExitInfo) {
    super(`process exited with ${info.exitCode}`);
  }
}

/** What a process does on SIGTERM: die by it, ignore it, or run a handler (a shell trap). */
export type TermAction =
  'die' | 'ignore' | { readonly exitCode: number } | { readonly handler: () => Promise<void> };

interface Waiter {
  readonly resolve: () => void;
  readonly timer: TimerHandle | undefined;
}

/**
 * A simulated process: runs an async body, waits only on the fake clock (a wait without a time
 * costs no timer), takes signals, and settles {@link exited} exactly once. Once ended, its pending
 * waits never resume, so the body simply stops.
 */
export class Proc {
  /** SIGTERM handling; shell `trap` and scripted behaviours set it. */
  termAction: TermAction = 'die';
  /** Bytes allocated, reported by stats. */
  allocated = 0;
  private ended: ExitInfo | undefined;
  // Made on first use: an idle container's process is then only this object.
  private waitersSet: Set<Waiter> | undefined;
  private settle: ((info: ExitInfo) => void) | undefined;
  private exitedPromise: Promise<ExitInfo> | undefined;

  constructor(
    private readonly clock: FakeClock,
    readonly memoryLimitBytes: number | undefined,
    private readonly onExit?: (info: ExitInfo) => void,
  ) {}

  private get waiters(): Set<Waiter> {
    return (this.waitersSet ??= new Set());
  }

  /** Settles once the process has ended. */
  get exited(): Promise<ExitInfo> {
    if (this.ended) return Promise.resolve(this.ended);
    return (this.exitedPromise ??= new Promise<ExitInfo>((resolve) => (this.settle = resolve)));
  }

  /** Runs `body`; its return value is the exit code. */
  start(body: (proc: Proc) => Promise<number>): void {
    body(this).then(
      (exitCode) => {
        this.finish({ exitCode });
      },
      (err: unknown) => {
        this.finish(
          err instanceof ExitNow
            ? err.info
            : { exitCode: 1, message: err instanceof Error ? err.message : String(err) },
        );
      },
    );
  }

  get done(): ExitInfo | undefined {
    return this.ended;
  }

  /** Resolves after `ms` on the clock, or never when `ms` is undefined (until a signal ends the process). */
  wait(ms?: number): Promise<void> {
    if (this.ended) return new Promise<void>(() => undefined);
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        resolve: () => {
          this.waiters.delete(waiter);
          if (waiter.timer !== undefined) this.clock.clearTimeout(waiter.timer);
          resolve();
        },
        timer:
          ms === undefined
            ? undefined
            : this.clock.setTimeout(
                () => {
                  waiter.resolve();
                },
                Math.max(0, ms),
              ),
      };
      this.waiters.add(waiter);
    });
  }

  /** Allocates memory; beyond the limit the OOM killer ends the process. */
  allocate(bytes: number): void {
    if (this.memoryLimitBytes !== undefined && this.allocated + bytes > this.memoryLimitBytes) {
      throw new ExitNow({ exitCode: 137, reason: 'OOMKilled' });
    }
    this.allocated += bytes;
  }

  /** Delivers a signal. SIGKILL always ends the process with 137. */
  signal(sig: 'TERM' | 'KILL'): void {
    if (this.ended) return;
    if (sig === 'KILL') {
      this.finish({ exitCode: 137 });
      return;
    }
    const action = this.termAction;
    if (action === 'ignore') return;
    if (action === 'die') {
      this.finish({ exitCode: 143 });
      return;
    }
    if ('exitCode' in action) {
      this.finish({ exitCode: action.exitCode });
      return;
    }
    // A trap handler runs, then the interrupted waits resume (as sh's `wait` returns on a signal).
    action.handler().then(
      () => {
        [...(this.waitersSet ?? [])].forEach((w) => {
          w.resolve();
        });
      },
      (err: unknown) => {
        this.finish(err instanceof ExitNow ? err.info : { exitCode: 1 });
      },
    );
  }

  /** Ends the process (idempotent: the first end wins). */
  finish(info: ExitInfo): void {
    if (this.ended) return;
    this.ended = info;
    for (const w of this.waitersSet ?? []) if (w.timer !== undefined) this.clock.clearTimeout(w.timer);
    this.waitersSet?.clear();
    // The owner learns first, so that anyone awaiting `exited` sees the container's final state.
    this.onExit?.(info);
    this.settle?.(info);
  }
}
