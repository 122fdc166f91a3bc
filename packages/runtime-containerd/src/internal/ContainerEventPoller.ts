import type { Container, ContainerEvent, ContainerState, ContainerStatus, Logger } from '@tugboat/core';
import { Observable, Subject } from 'rxjs';

/** What the poller needs from the runtime. */
export interface PollerSource {
  listContainers(): Promise<Container[]>;
  containerStatus(id: string): Promise<ContainerStatus>;
}

interface Seen {
  readonly podSandboxId: string;
  /** The furthest lifecycle step already emitted. */
  step: 'created' | 'started' | 'exited';
  /** Timestamp of the last event emitted for the container. */
  last: number;
}

const rank = { created: 0, started: 1, exited: 2 } as const;

/**
 * Container lifecycle events derived by listing containers and diffing, because containerd 1.6's
 * CRI has no `GetContainerEvents`. Polls only while someone subscribes; the runtime pokes it after
 * each of its own mutating calls so that those events arrive promptly. Per container the events are
 * always created → started → exited → deleted, with steps the poll missed filled in.
 */
export class ContainerEventPoller {
  /** The hot event stream: subscribers see what happens from their subscription on. */
  readonly events: Observable<ContainerEvent>;

  private readonly subject = new Subject<ContainerEvent>();
  private readonly seen = new Map<string, Seen>();
  private subscribers = 0;
  private baseline: Promise<void> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private pokePending = false;
  private closed = false;

  constructor(
    private readonly source: PollerSource,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {
    this.events = new Observable<ContainerEvent>((subscriber) => {
      const sub = this.subject.subscribe(subscriber);
      if (++this.subscribers === 1) this.start();
      return () => {
        sub.unsubscribe();
        if (--this.subscribers === 0) this.stop();
      };
    });
  }

  /**
   * Resolves once the poller knows what existed before the current subscribers came, so a mutating
   * call made after subscribing is never mistaken for the past. Immediate when nobody listens.
   */
  ready(): Promise<void> {
    return this.baseline ?? Promise.resolve();
  }

  /** Schedules a poll soon (coalesced), after a mutating call. */
  poke(): void {
    if (this.subscribers === 0 || this.pokePending) return;
    this.pokePending = true;
    void this.enqueue(() => {
      this.pokePending = false;
      return this.poll();
    });
  }

  /**
   * Polls now and resolves once done (immediate when nobody listens). Called before a removal, which
   * erases what a later poll could still learn (that the container started and how it exited).
   */
  flush(): Promise<void> {
    if (this.subscribers === 0) return Promise.resolve();
    return this.enqueue(() => this.poll());
  }

  /** Stops polling and completes the stream. */
  close(): void {
    this.closed = true;
    this.stop();
    this.subject.complete();
  }

  private start(): void {
    if (this.closed) return;
    this.seen.clear();
    this.baseline = this.enqueue(() => this.poll(false));
    this.schedule();
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.baseline = undefined;
  }

  private schedule(): void {
    if (this.closed || this.subscribers === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.enqueue(() => this.poll()).then(() => {
        this.schedule();
      });
    }, this.intervalMs);
    // A runtime nobody closed must not keep the process alive.
    this.timer.unref();
  }

  /** Polls run one at a time, so events leave in the order they were derived. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => undefined);
    return this.chain;
  }

  private async poll(emit = true): Promise<void> {
    if (this.subscribers === 0) return;
    let list: Container[];
    // Stamps a start only when the container's status cannot be read (it was removed meanwhile).
    const listedAt = Date.now();
    try {
      list = await this.source.listContainers();
    } catch (err) {
      // The daemon may be restarting; the next poll catches up.
      this.logger.debug('container event poll failed', { err: String(err) });
      return;
    }
    const now = Date.now();
    const present = new Set<string>();
    const ordered = [...list].sort((a, b) => a.createdAt - b.createdAt);
    const moved = ordered.filter((c) => {
      const target = stepOf(c.state);
      return (
        emit &&
        target !== undefined &&
        target !== 'created' &&
        rank[target] > rank[this.seen.get(c.id)?.step ?? 'created']
      );
    });
    // Statuses are read together, then events leave in list order.
    const statuses = new Map(
      await Promise.all(
        moved.map(
          async (c) => [c.id, await this.source.containerStatus(c.id).catch(() => undefined)] as const,
        ),
      ),
    );
    for (const c of ordered) {
      present.add(c.id);
      const prev = this.seen.get(c.id);
      const target = stepOf(c.state);
      if (!emit) {
        this.seen.set(c.id, { podSandboxId: c.podSandboxId, step: target ?? 'created', last: 0 });
        continue;
      }
      const seen: Seen = prev ?? { podSandboxId: c.podSandboxId, step: 'created', last: 0 };
      if (!prev) {
        this.seen.set(c.id, seen);
        this.emit(seen, 'created', c.id, c.createdAt || now);
      }
      if (target && target !== 'created' && rank[target] > rank[seen.step])
        this.advance(c, seen, target, statuses.get(c.id), listedAt);
    }
    for (const [id, seen] of [...this.seen]) {
      if (present.has(id)) continue;
      this.seen.delete(id);
      // Removing a running container kills it: report the exit before the deletion.
      if (emit && seen.step === 'started') this.emit(seen, 'exited', id, now);
      if (emit) this.emit(seen, 'deleted', id, now);
    }
  }

  /**
   * Emits the steps from what was seen to what the container reached. The status has the real start
   * and finish times: containerd updates its list only after it handled the exit, so the list lags.
   */
  private advance(
    c: Container,
    seen: Seen,
    target: 'started' | 'exited',
    status: ContainerStatus | undefined,
    listedAt: number,
  ): void {
    const reached = status?.state === 'CONTAINER_EXITED' ? 'exited' : target;
    // An exited container that never started (its sandbox was stopped first) skips `started`.
    const didStart = reached === 'started' || status === undefined || status.startedAt > 0;
    if (seen.step === 'created' && didStart) {
      seen.step = 'started';
      this.emit(seen, 'started', c.id, status?.startedAt || listedAt);
    }
    if (reached === 'exited') {
      seen.step = 'exited';
      this.emit(seen, 'exited', c.id, status?.finishedAt || Date.now(), status?.exitCode);
    }
  }

  private emit(
    seen: Seen,
    type: ContainerEvent['type'],
    containerId: string,
    time: number,
    exitCode?: number,
  ): void {
    // containerd stamps a start after runc returns and an exit when the shim saw it, so a process that
    // ends at once can "finish" a millisecond before it "started": keep each container's times in order.
    const timestamp = Math.max(time, seen.last);
    seen.last = timestamp;
    const podSandboxId = seen.podSandboxId;
    this.subject.next({
      type,
      containerId,
      podSandboxId,
      timestamp,
      ...(exitCode === undefined ? {} : { exitCode }),
    });
  }
}

function stepOf(state: ContainerState): 'created' | 'started' | 'exited' | undefined {
  switch (state) {
    case 'CONTAINER_CREATED':
      return 'created';
    case 'CONTAINER_RUNNING':
      return 'started';
    case 'CONTAINER_EXITED':
      return 'exited';
    case 'CONTAINER_UNKNOWN':
      return undefined;
  }
}
