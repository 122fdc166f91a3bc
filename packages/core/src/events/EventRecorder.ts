import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';

import type { ApiClient } from '../api/ApiClient.js';
import { ApiError } from '../errors/ApiError.js';
import type { Logger } from '../log/Logger.js';
import type { KubeObject } from '../meta/KubeObject.js';
import { metaTime } from '../meta/metaTime.js';
import { Events } from '../resources/builtins.js';
import { type Clock, realClock } from '../workqueue/Clock.js';

/** The two event types Kubernetes defines. */
export type EventType = 'Normal' | 'Warning';

/** Options of an {@link EventRecorder}. */
export interface EventRecorderOptions {
  /** `source.component` and `reportingComponent` of every event (e.g. `replicaset-controller`). */
  readonly component: string;
  /** `source.host`, for node agents. */
  readonly host?: string;
  /** `reportingInstance` (default: the host, else the component). */
  readonly reportingInstance?: string;
  /** Identical events within this window update one Event's count (default 10 min). */
  readonly dedupWindowMs?: number;
  /** How many distinct events are remembered for de-duplication (default 4096). */
  readonly cacheSize?: number;
  /** Writes waiting beyond this are dropped (logged), as client-go's full broadcaster drops them (default 1000). */
  readonly maxPending?: number;
  readonly clock?: Clock;
}

interface Seen {
  readonly name: string;
  readonly namespace: string;
  count: number;
  lastSeen: number;
}

/**
 * Records core/v1 Events about objects, as client-go's recorder: an identical event (same
 * involved object, type, reason, message and source) seen again within the window patches the
 * existing Event's `count` and `lastTimestamp` instead of creating another. Writes happen in the
 * background, in order; {@link event} never throws, and failures are logged.
 */
export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly cacheSize: number;
  private readonly maxPending: number;
  private pending = 0;
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(
    private readonly client: ApiClient,
    logger: Logger,
    private readonly options: EventRecorderOptions,
  ) {
    this.log = logger.child({ component: options.component });
    this.clock = options.clock ?? realClock;
    this.windowMs = options.dedupWindowMs ?? 600_000;
    this.cacheSize = options.cacheSize ?? 4096;
    this.maxPending = options.maxPending ?? 1000;
  }

  /** Records an event about `object`; returns at once, the write happens in the background. */
  event(object: KubeObject, type: EventType, reason: string, message: string): void {
    try {
      const ref = referenceTo(object);
      if (!ref.name) {
        this.log.warn('dropping event about an object without a name', { reason, message });
        return;
      }
      if (this.pending >= this.maxPending) {
        this.log.warn('event queue full, dropping event', {
          reason,
          object: `${ref.namespace ?? ''}/${ref.name}`,
        });
        return;
      }
      this.pending++;
      const now = this.clock.now();
      this.chain = this.chain
        .then(() => this.write(ref, type, reason, message, now))
        .catch((err: unknown) => {
          this.log.warn('failed to record event', { reason, error: String(err), object: ref.name });
        })
        .finally(() => {
          this.pending--;
        });
    } catch (err) {
      this.log.warn('failed to record event', { reason, error: String(err) });
    }
  }

  /** Resolves once every event recorded so far has been written (or has failed). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(
    ref: ObjectReference,
    type: EventType,
    reason: string,
    message: string,
    now: number,
  ): Promise<void> {
    const namespace = ref.namespace || 'default';
    const source = {
      component: this.options.component,
      ...(this.options.host ? { host: this.options.host } : {}),
    };
    const key = JSON.stringify([
      ref.apiVersion,
      ref.kind,
      ref.namespace,
      ref.name,
      ref.uid,
      type,
      reason,
      message,
      source.component,
      source.host,
    ]);
    const prior = this.seen.get(key);
    if (prior !== undefined && now - prior.lastSeen <= this.windowMs) {
      this.touch(key, prior);
      prior.count++;
      prior.lastSeen = now;
      try {
        await this.client.patch(
          Events,
          prior.name,
          'merge',
          { count: prior.count, lastTimestamp: metaTime(now) },
          { namespace: prior.namespace },
        );
        return;
      } catch (err) {
        // The Event may have expired (events have a TTL): record a fresh one instead.
        if (!ApiError.is(err, 'NotFound')) throw err;
      }
    }
    const name = `${ref.name}.${(BigInt(now) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: metaTime(now),
      lastTimestamp: metaTime(now),
      source,
      reportingComponent: this.options.component,
      reportingInstance: this.options.reportingInstance ?? this.options.host ?? this.options.component,
    };
    await this.client.create(Events, event, { namespace });
    this.touch(key, { name, namespace, count: 1, lastSeen: now });
  }

  /** Marks a cache entry most recently used, evicting the least recently used beyond the bound. */
  private touch(key: string, entry: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, entry);
    while (this.seen.size > this.cacheSize) {
      const oldest = this.seen.keys().next();
      if (oldest.done === true) break;
      this.seen.delete(oldest.value);
    }
  }
}

function referenceTo(obj: KubeObject): ObjectReference {
  const m = obj.metadata ?? {};
  const ref: ObjectReference = {};
  if (obj.apiVersion) ref.apiVersion = obj.apiVersion;
  if (obj.kind) ref.kind = obj.kind;
  if (m.namespace) ref.namespace = m.namespace;
  if (m.name) ref.name = m.name;
  if (m.uid) ref.uid = m.uid;
  if (m.resourceVersion) ref.resourceVersion = m.resourceVersion;
  return ref;
}
