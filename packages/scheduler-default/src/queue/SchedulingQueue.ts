import { type Clock, type corev1, realClock } from '@tugboat/core';

import { Heap } from './Heap.js';

/** A pod waiting in the {@link SchedulingQueue}, with its scheduling history. */
export interface QueuedPodInfo {
  pod: corev1.Pod;
  readonly key: string;
  /** When the pod first entered the queue (ms); ties in priority go to the oldest. */
  readonly initialAttemptTimestamp: number;
  /** When it last entered a queue. */
  timestamp: number;
  attempts: number;
  /** The scheduling cycle that popped it last. */
  cycle: number;
  /** When its current attempt started (performance.now()). */
  startedAt: number;
}

/** Options of a {@link SchedulingQueue}; defaults are upstream's. */
export interface SchedulingQueueOptions {
  /** Orders the active queue (the profile's QueueSort plugin). */
  readonly less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Unschedulable pods go back to the active queue after this long without a cluster event. */
  readonly maxInUnschedulableMs?: number;
  readonly clock?: Clock;
}

/** Where a pod is in the queue. */
export type QueueName = 'active' | 'backoff' | 'unschedulable';

/**
 * The scheduling queue, as upstream's PriorityQueue: the active queue (a heap in QueueSort order),
 * the backoff queue (pods that failed recently, waiting 1 s doubling to 10 s per attempt) and the
 * unschedulable set (pods no node fits, moved back by cluster events or after 5 minutes).
 */
export class SchedulingQueue {
  private readonly active: Heap<QueuedPodInfo>;
  private readonly backoff: Heap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods popped and being scheduled, so an update or delete can be noticed. */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly clock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  private waiters: ((info: QueuedPodInfo | undefined) => void)[] = [];
  private closed = false;
  private timer: unknown;
  /** Incremented on each pop. */
  schedulingCycle = 0;
  /** The cycle of the last cluster event that could make unschedulable pods schedulable. */
  private moveRequestCycle = -1;

  constructor(options: SchedulingQueueOptions) {
    this.clock = options.clock ?? realClock;
    this.initialBackoffMs = options.initialBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.maxInUnschedulableMs = options.maxInUnschedulableMs ?? 300_000;
    this.active = new Heap((p) => p.key, options.less);
    this.backoff = new Heap(
      (p) => p.key,
      (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
    );
  }

  /** Starts the periodic flushes (backoff every second, unschedulable every 30 s). */
  run(): void {
    let ticks = 0;
    const tick = (): void => {
      if (this.closed) return;
      this.flushBackoffCompleted();
      if (++ticks % 30 === 0) this.flushUnschedulableLeftover();
      this.timer = this.clock.setTimeout(tick, 1000);
    };
    this.timer = this.clock.setTimeout(tick, 1000);
  }

  /** Adds a new pending pod to the active queue (or refreshes it where it already waits). */
  add(pod: corev1.Pod): void {
    const key = keyOf(pod);
    const existing = this.find(key);
    if (existing !== undefined) {
      this.update(pod);
      return;
    }
    const now = this.clock.now();
    this.pushActive({
      pod,
      key,
      initialAttemptTimestamp: now,
      timestamp: now,
      attempts: 0,
      cycle: 0,
      startedAt: 0,
    });
  }

  /** A pending pod changed: refresh it; an unschedulable pod whose spec changed is retried. */
  update(pod: corev1.Pod): void {
    const key = keyOf(pod);
    const inActive = this.active.get(key);
    if (inActive !== undefined) {
      inActive.pod = pod;
      this.active.push(inActive);
      return;
    }
    const inBackoff = this.backoff.get(key);
    if (inBackoff !== undefined) {
      inBackoff.pod = pod;
      return;
    }
    const info = this.unschedulable.get(key);
    if (info !== undefined) {
      const specChanged = JSON.stringify(info.pod.spec) !== JSON.stringify(pod.spec);
      info.pod = pod;
      if (specChanged) {
        this.unschedulable.delete(key);
        this.requeue(info);
      }
      return;
    }
    const flying = this.inFlight.get(key);
    if (flying !== undefined) {
      flying.pod = pod;
      return;
    }
    this.add(pod);
  }

  /** Removes a pod (deleted, or bound by someone else). */
  delete(pod: corev1.Pod): void {
    const key = keyOf(pod);
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  /** Whether the pod is still wanted (waiting or in flight, not deleted meanwhile). */
  isTracked(key: string): boolean {
    return this.find(key) !== undefined || this.inFlight.has(key);
  }

  /** The next pod to schedule; waits while the active queue is empty. Undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    const next = this.tryPop();
    if (next !== undefined || this.closed) return Promise.resolve(next);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The next pod at once, or undefined when the active queue is empty. */
  tryPop(): QueuedPodInfo | undefined {
    const info = this.active.pop();
    if (info === undefined) return undefined;
    info.attempts++;
    info.cycle = ++this.schedulingCycle;
    this.inFlight.set(info.key, info);
    return info;
  }

  /** A popped pod is done (bound or given up on). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * A popped pod failed. Unschedulable pods park in the unschedulable set unless a cluster event
   * arrived while they were being scheduled (then they back off); errors always back off.
   */
  addUnschedulableIfNotPresent(info: QueuedPodInfo, unschedulable: boolean): void {
    if (!this.inFlight.has(info.key)) return; // deleted meanwhile
    this.inFlight.delete(info.key);
    if (this.find(info.key) !== undefined) return;
    info.timestamp = this.clock.now();
    if (!unschedulable || this.moveRequestCycle >= info.cycle) this.backoff.push(info);
    else this.unschedulable.set(info.key, info);
  }

  /** A cluster event that may help unschedulable pods (node added/updated, pod deleted). */
  moveAllToActiveOrBackoff(): void {
    for (const info of this.unschedulable.values()) this.requeue(info);
    this.unschedulable.clear();
    this.moveRequestCycle = this.schedulingCycle;
  }

  /** Moves pods whose backoff has expired to the active queue. */
  flushBackoffCompleted(): void {
    const now = this.clock.now();
    for (;;) {
      const head = this.backoff.peek();
      if (head === undefined || this.backoffExpiry(head) > now) return;
      this.backoff.pop();
      this.pushActive(head);
    }
  }

  /** Moves pods unschedulable for longer than the limit back (upstream: 5 minutes). */
  flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    for (const [key, info] of this.unschedulable) {
      if (now - info.timestamp >= this.maxInUnschedulableMs) {
        this.unschedulable.delete(key);
        this.requeue(info);
      }
    }
  }

  /** Where a pod waits, if anywhere. */
  where(key: string): QueueName | undefined {
    if (this.active.has(key)) return 'active';
    if (this.backoff.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    return undefined;
  }

  /** Counts per queue. */
  stats(): Record<QueueName, number> {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  /** The backoff a pod gets after `attempts` attempts: initial doubling per attempt, capped. */
  backoffDuration(attempts: number): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  /** Wakes every waiting pop with undefined and stops the flushes. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer as never);
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private backoffExpiry(info: QueuedPodInfo): number {
    return info.timestamp + this.backoffDuration(info.attempts);
  }

  private requeue(info: QueuedPodInfo): void {
    if (this.backoffExpiry(info) > this.clock.now()) this.backoff.push(info);
    else this.pushActive(info);
  }

  private pushActive(info: QueuedPodInfo): void {
    this.active.push(info);
    while (this.waiters.length > 0 && this.active.size > 0) {
      const waiter = this.waiters.shift();
      waiter?.(this.tryPop());
    }
  }

  private find(key: string): QueuedPodInfo | undefined {
    return this.active.get(key) ?? this.backoff.get(key) ?? this.unschedulable.get(key);
  }
}

function keyOf(pod: corev1.Pod): string {
  return pod.metadata?.uid ?? `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}
