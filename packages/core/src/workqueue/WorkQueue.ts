import { type Clock, realClock, type TimerHandle } from './Clock.js';

/** Options of a {@link WorkQueue}. */
export interface WorkQueueOptions<T> {
  /** Identifies an item; items with equal keys are one item. Default: the item if a string, else JSON. */
  readonly key?: (item: T) => string;
  /** First rate-limited delay; doubles per failure (client-go: 5 ms). */
  readonly baseDelayMs?: number;
  /** Cap of the rate-limited delay (client-go: 1000 s). */
  readonly maxDelayMs?: number;
  readonly clock?: Clock;
}

interface Delayed<T> {
  readonly item: T;
  readonly readyAt: number;
  readonly timer: TimerHandle;
}

const defaultKey = (item: unknown): string => (typeof item === 'string' ? item : JSON.stringify(item));

/**
 * A rate-limited, de-duplicating work queue, as client-go's: an item added many times before it
 * is taken is processed once; an item re-added while being processed is processed again after
 * {@link done}, never concurrently; failures back off exponentially per item.
 */
export class WorkQueue<T> {
  private readonly keyOf: (item: T) => string;
  private readonly clock: Clock;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  /** Keys waiting to be handed out, in order. */
  private readonly queue: string[] = [];
  /** Items waiting to be (re)processed, by key: queued, or deferred until their processing is done. */
  private readonly dirty = new Map<string, T>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, Delayed<T>>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: Array<(item: T | undefined) => void> = [];
  private drainWaiters: Array<() => void> = [];
  private shutdown = false;
  private draining = false;

  constructor(options: WorkQueueOptions<T> = {}) {
    this.keyOf = options.key ?? defaultKey;
    this.clock = options.clock ?? realClock;
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
  }

  /** Number of items ready to be taken. */
  get length(): number {
    return this.queue.length;
  }

  /** Whether {@link shutDown} or {@link shutDownWithDrain} was called. */
  get shuttingDown(): boolean {
    return this.shutdown || this.draining;
  }

  /** Queues the item unless it is already queued; ignored after shutdown. */
  add(item: T): void {
    if (this.shuttingDown) return;
    const key = this.keyOf(item);
    const wasDirty = this.dirty.has(key);
    // The newest value wins, so a reconcile sees the latest request for a key.
    this.dirty.set(key, item);
    if (wasDirty || this.processing.has(key)) return;
    this.enqueue(key);
  }

  /** Queues the item after `ms` milliseconds; a pending earlier add of the same item wins. */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const key = this.keyOf(item);
    const readyAt = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending !== undefined) {
      if (pending.readyAt <= readyAt) return;
      this.clock.clearTimeout(pending.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(item);
    }, ms);
    this.delayed.set(key, { item, readyAt, timer });
  }

  /** Queues the item after its per-item backoff (base × 2^failures, capped) and counts a failure. */
  addRateLimited(item: T): void {
    const key = this.keyOf(item);
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    // 2 ** 1024 is Infinity, which min() caps, so no overflow check is needed.
    const delay = Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
    this.addAfter(item, delay);
  }

  /** Clears the item's failure count, ending its backoff (call after a success). */
  forget(item: T): void {
    this.failures.delete(this.keyOf(item));
  }

  /** How many times the item was rate-limited since it was last forgotten. */
  numRequeues(item: T): number {
    return this.failures.get(this.keyOf(item)) ?? 0;
  }

  /**
   * The next item, once one is ready; `undefined` when the queue has shut down (or, draining,
   * has nothing left). The caller must call {@link done} with it when finished.
   */
  get(): Promise<T | undefined> {
    if (this.shutdown) return Promise.resolve(undefined);
    const item = this.take();
    if (item !== undefined) return Promise.resolve(item.value);
    // While draining, an item being processed may still be re-queued by its `done`, so only an
    // idle queue answers "nothing left".
    if (this.draining && this.processing.size === 0) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the item processed; if it was added meanwhile, it is queued again. */
  done(item: T): void {
    const key = this.keyOf(item);
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key) && !this.shutdown) this.enqueue(key);
    this.checkDrained();
  }

  /** Stops the queue: pending and future `get` calls yield `undefined`, queued items are dropped. */
  shutDown(): void {
    this.shutdown = true;
    this.stopTimers();
    this.queue.length = 0;
    this.dirty.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
    this.checkDrained();
  }

  /**
   * Stops accepting items, lets workers take what is already queued, and resolves once every
   * taken item is done. Delayed items not yet due are dropped.
   */
  shutDownWithDrain(): Promise<void> {
    this.draining = true;
    this.stopTimers();
    const drained = new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    if (this.queue.length === 0) for (const w of this.waiters.splice(0)) w(undefined);
    this.checkDrained();
    return drained;
  }

  private stopTimers(): void {
    for (const d of this.delayed.values()) this.clock.clearTimeout(d.timer);
    this.delayed.clear();
  }

  private enqueue(key: string): void {
    this.queue.push(key);
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter(this.take()?.value);
  }

  private take(): { value: T } | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    const value = this.dirty.get(key) as T;
    this.dirty.delete(key);
    this.processing.add(key);
    return { value };
  }

  private checkDrained(): void {
    if (!this.shuttingDown || this.processing.size > 0) return;
    if (this.draining && this.queue.length > 0) return;
    if (this.draining) for (const w of this.waiters.splice(0)) w(undefined);
    for (const w of this.drainWaiters.splice(0)) w();
  }
}
