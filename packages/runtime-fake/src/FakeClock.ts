/** An opaque handle of a scheduled timer. */
export type TimerHandle = { readonly __timer: true } | object;

/**
 * The time source of the fake runtime. Every delay in the simulation (latency, sleeps, exits after
 * T, stop grace periods) goes through it, so a test can make time deterministic with
 * {@link ManualClock}.
 */
export interface FakeClock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The {@link FakeClock} on real time. Timers are unref'd so they never keep a process alive. */
export const systemClock: FakeClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const t = setTimeout(callback, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * A {@link FakeClock} that moves only when told: {@link advance} runs every timer that falls due,
 * in order of due time (then of scheduling), letting promise continuations settle between them.
 */
export class ManualClock implements FakeClock {
  private current: number;
  private seq = 0;
  private readonly timers = new Map<object, Scheduled>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle = {};
    this.timers.set(handle, { at: this.current + Math.max(0, ms), seq: this.seq++, callback });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle);
  }

  /** How many timers are scheduled (a check that idle containers cost no timers). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running due timers one by one and settling promises after each. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const next = this.nextDue(target);
      if (!next) break;
      this.timers.delete(next[0]);
      this.current = next[1].at;
      next[1].callback();
    }
    this.current = target;
    await settle();
  }

  private nextDue(limit: number): [object, Scheduled] | undefined {
    let best: [object, Scheduled] | undefined;
    for (const entry of this.timers) {
      const s = entry[1];
      if (s.at > limit) continue;
      if (!best || s.at < best[1].at || (s.at === best[1].at && s.seq < best[1].seq)) best = entry;
    }
    return best;
  }
}

/** Lets pending promise continuations (and their follow-ups) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
