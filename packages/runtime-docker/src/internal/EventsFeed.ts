import type Docker from 'dockerode';
import { Observable, Subject } from 'rxjs';
import type { ContainerEvent, Logger } from '@tugboat/core';

import { withDeadline } from './deadline.js';
import { labelKeys, labelFilters } from './labels.js';

interface EngineEvent {
  readonly Type?: string;
  readonly Action?: string;
  readonly id?: string;
  readonly Actor?: { readonly ID?: string; readonly Attributes?: Readonly<Record<string, string>> };
  readonly time?: number;
  readonly timeNano?: number;
}

const actions: Readonly<Record<string, ContainerEvent['type']>> = {
  create: 'created',
  start: 'started',
  die: 'exited',
  destroy: 'deleted',
};

const seenLimit = 10_000;

/**
 * The Engine's event stream, filtered to Tugboat's app containers and turned into
 * {@link ContainerEvent}s in the order the Engine reported them. The feed connects before the first
 * mutating call returns, and reconnects with `since` after a drop, skipping events already emitted.
 */
export class EventsFeed {
  private readonly subject = new Subject<ContainerEvent>();
  /** The hot stream of events; subscribing also opens the Engine's stream when it is not open. */
  readonly events: Observable<ContainerEvent> = new Observable<ContainerEvent>((subscriber) => {
    const subscription = this.subject.subscribe(subscriber);
    this.ensure().catch(() => {
      if (!this.closed) this.scheduleReconnect();
    });
    return subscription;
  });
  private connecting: Promise<void> | undefined;
  private connected = false;
  private closed = false;
  private abort = new AbortController();
  private readonly startNano = Date.now() * 1e6;
  private lastSeconds = Math.floor(Date.now() / 1000);
  private readonly seen = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private retry: NodeJS.Timeout | undefined;
  private backoffMs = 100;

  constructor(
    private readonly docker: Docker,
    private readonly socketPath: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly beforeEmit: (event: ContainerEvent) => Promise<void>,
  ) {}

  /** Resolves once the Engine's event stream is open (opening it when needed). */
  ensure(): Promise<void> {
    if (this.connected || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Closes the stream and completes {@link events}. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.abort.abort();
    void this.queue.then(() => {
      this.subject.complete();
    });
  }

  private async connect(): Promise<void> {
    this.abort = new AbortController();
    const signal = this.abort.signal;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await withDeadline<NodeJS.ReadableStream>(
        { socketPath: this.socketPath, kind: 'engine' },
        this.timeoutMs,
        () =>
          this.docker.getEvents({
            since: this.lastSeconds,
            filters: { type: ['container'], event: Object.keys(actions), label: labelFilters('container') },
            abortSignal: signal,
          } as Docker.GetEventsOptions),
      );
    } catch (err) {
      this.abort.abort();
      throw err;
    }
    this.connected = true;
    this.backoffMs = 100;
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line) this.onLine(line);
      }
    });
    const dropped = (): void => {
      if (!this.connected) return;
      this.connected = false;
      if (!this.closed) this.scheduleReconnect();
    };
    stream.on('end', dropped);
    stream.on('close', dropped);
    stream.on('error', dropped);
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.ensure().catch((err: unknown) => {
        this.logger.debug('reconnecting to the Docker event stream failed', { err: String(err) });
        this.backoffMs = Math.min(this.backoffMs * 2, 5000);
        if (!this.closed) this.scheduleReconnect();
      });
    }, this.backoffMs);
    this.retry.unref();
  }

  private onLine(line: string): void {
    let ev: EngineEvent;
    try {
      ev = JSON.parse(line) as EngineEvent;
    } catch {
      this.logger.warn('unparseable Docker event', { line });
      return;
    }
    const type = actions[ev.Action ?? ''];
    const containerId = ev.Actor?.ID ?? ev.id;
    const podSandboxId = ev.Actor?.Attributes?.[labelKeys.sandboxId];
    const nano = ev.timeNano ?? (ev.time ?? 0) * 1e9;
    if (!type || !containerId || podSandboxId === undefined || nano < this.startNano) return;
    const key = `${containerId}/${type}/${nano}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.seen.size > seenLimit) this.seen.delete(this.seen.values().next().value as string);
    this.lastSeconds = Math.max(this.lastSeconds, Math.floor(nano / 1e9));
    const exitCode = type === 'exited' ? Number(ev.Actor?.Attributes?.['exitCode']) : Number.NaN;
    const event: ContainerEvent = {
      type,
      containerId,
      podSandboxId,
      timestamp: Math.floor(nano / 1e6),
      ...(Number.isInteger(exitCode) ? { exitCode } : {}),
    };
    this.queue = this.queue
      .then(() => this.beforeEmit(event))
      .catch(() => undefined)
      .then(() => {
        this.subject.next(event);
      });
  }
}
