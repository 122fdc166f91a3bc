import type { Clock, Logger, TimerHandle } from '@tugboat/core';

/** What a sync reports: when to run again without a trigger. */
export interface WorkerResult {
  readonly requeueAfterMs?: number;
}

/** Retry tuning of failed syncs. */
export interface WorkerRetry {
  readonly baseMs: number;
  readonly maxMs: number;
}

interface Worker {
  running: boolean;
  failures: number;
  timer?: TimerHandle;
  timerAt?: number;
}

/**
 * One serialized worker per pod uid, as upstream's `podWorkers`: a pod's sync never runs twice
 * at once, triggers arriving during a sync coalesce into one more sync, a failed sync is retried
 * with exponential backoff, and a failing pod never holds up another.
 */
export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private readonly inflight = new Set<Promise<void>>();
  /** Pods triggered while their sync ran: they sync once more right after. */
  private readonly again = new Set<string>();
  private stopped = false;

  constructor(
    private readonly sync: (uid: string) => Promise<WorkerResult>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly retry: WorkerRetry,
  ) {}

  /** Asks for a sync of `uid`: now, or after `delayMs` (an earlier pending sync wins). */
  enqueue(uid: string, delayMs = 0): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = { running: false, failures: 0 };
      this.workers.set(uid, w);
    }
    if (delayMs > 0) {
      this.schedule(uid, w, delayMs);
      return;
    }
    if (w.running) {
      this.again.add(uid);
      return;
    }
    this.run(uid, w);
  }

  /** Drops the worker of a pod that is gone (after its last sync). */
  forget(uid: string): void {
    const w = this.workers.get(uid);
    if (!w) return;
    if (w.timer !== undefined) this.clock.clearTimeout(w.timer);
    this.workers.delete(uid);
    this.again.delete(uid);
  }

  /** The uids with a worker. */
  uids(): string[] {
    return [...this.workers.keys()];
  }

  /** Whether no sync runs or waits to run now (timers aside). */
  idle(): boolean {
    return this.inflight.size === 0;
  }

  /** Stops taking work; resolves once the syncs under way have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) if (w.timer !== undefined) this.clock.clearTimeout(w.timer);
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private schedule(uid: string, w: Worker, delayMs: number): void {
    const at = this.clock.now() + delayMs;
    if (w.timer !== undefined && w.timerAt !== undefined && w.timerAt <= at) return;
    if (w.timer !== undefined) this.clock.clearTimeout(w.timer);
    w.timerAt = at;
    w.timer = this.clock.setTimeout(() => {
      delete w.timer;
      delete w.timerAt;
      if (this.workers.get(uid) === w) this.enqueue(uid);
    }, delayMs);
  }

  private run(uid: string, w: Worker): void {
    w.running = true;
    const p = (async () => {
      do {
        this.again.delete(uid);
        try {
          const result = await this.sync(uid);
          w.failures = 0;
          if (result.requeueAfterMs !== undefined && result.requeueAfterMs > 0 && !this.stopped)
            this.schedule(uid, w, result.requeueAfterMs);
        } catch (err) {
          w.failures++;
          const delay = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** Math.min(w.failures - 1, 20));
          this.log.warn('pod sync failed, retrying', { uid, error: String(err), retryInMs: delay });
          if (!this.stopped) this.schedule(uid, w, delay);
        }
      } while (this.again.has(uid) && !this.stopped);
      w.running = false;
    })();
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }
}
