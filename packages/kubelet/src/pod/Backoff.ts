/** Tuning of a {@link Backoff}. */
export interface BackoffTuning {
  readonly initialMs: number;
  readonly maxMs: number;
}

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

/**
 * Per-key exponential backoff, as client-go's `flowcontrol.Backoff` that the kubelet uses for
 * CrashLoopBackOff and ImagePullBackOff: the first failure is retried at once, each further one
 * waits twice as long up to the maximum; an entry idle for twice the maximum starts over.
 */
export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly tuning: BackoffTuning) {}

  /** The current delay of `key` (0 when it has none). */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /**
   * How long until `key` may be retried when its last failure happened at `since`; 0 when not in
   * backoff.
   */
  remaining(key: string, since: number, now: number): number {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.tuning.maxMs) return 0;
    return Math.max(0, since + e.delayMs - now);
  }

  /** How long until `key` may be retried, counted from its last recorded retry; 0 when not in backoff. */
  remainingSinceUpdate(key: string, now: number): number {
    const e = this.entries.get(key);
    return e ? this.remaining(key, e.lastUpdate, now) : 0;
  }

  /** Records a retry of `key` at `now`: the next delay doubles (or starts at the initial one). */
  next(key: string, now: number): number {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.tuning.maxMs) {
      this.entries.set(key, { delayMs: this.tuning.initialMs, lastUpdate: now });
      return this.tuning.initialMs;
    }
    e.delayMs = Math.min(e.delayMs * 2, this.tuning.maxMs);
    e.lastUpdate = now;
    return e.delayMs;
  }

  /** Forgets `key`: its next failure starts at the initial delay again. */
  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key starting with `prefix` (a pod that is gone). */
  forgetPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
