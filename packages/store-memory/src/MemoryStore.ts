import {
  ApiError,
  silentLogger,
  type KeyValue,
  type Logger,
  type Store,
  type StoreEvent,
  type StoreListOptions,
  type StoreListResult,
} from '@tugboat/core';
import { Observable } from 'rxjs';

import { decodeContinue, encodeContinue } from './internal/ContinueToken.js';
import { Journal } from './internal/Journal.js';
import { loadDataDir, releaseLock } from './internal/loadDataDir.js';
import { Mvcc, type WriteRecord } from './internal/Mvcc.js';
import { defaultMaxValueBytes, validateKey, validateRevision, validateValue } from './internal/validate.js';
import { WatchHub, type Watcher } from './internal/WatchHub.js';
import type { MemoryStoreOptions } from './MemoryStoreOptions.js';

/**
 * The embedded {@link Store}: an MVCC key-value store in memory, optionally persisted to a data
 * directory (snapshot + append-only log with group-committed fsync).
 *
 * Writes apply in memory at once, so compare-and-swap is atomic; with a data directory a write is
 * acknowledged, and its watch event delivered, only once it is durable. Reads see applied writes.
 * History is kept for `historyLimit` revisions; as in etcd, the state at the compaction point and
 * the events from it on stay available, anything older is `Gone`.
 *
 * Construct with `await MemoryStore.open(options)`. `new MemoryStore(options)` also works (for
 * dependency injection): operations then wait for the data directory to load, and fail with its
 * error if it cannot.
 */
export class MemoryStore implements Store {
  private readonly mvcc = new Mvcc();
  private readonly hub = new WatchHub();
  private readonly historyLimit: number;
  private readonly maxValueBytes: number;
  private readonly logger: Logger;
  private readonly opening: Promise<void>;
  private opened: boolean;
  private journal: Journal | undefined;
  /** Highest revision whose event went to watchers (durable, with a data directory). */
  private delivered = 0;
  private failure: ApiError | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.historyLimit = positiveInteger('historyLimit', options.historyLimit ?? 10_000);
    this.maxValueBytes = positiveInteger('maxValueBytes', options.maxValueBytes ?? defaultMaxValueBytes);
    const snapshotEvery = positiveInteger('snapshotEvery', options.snapshotEvery ?? 10_000);
    // Checked at run time too: options often come from untyped configuration.
    const fsync: unknown = options.fsync ?? 'batch';
    if (fsync !== 'batch' && fsync !== 'none')
      throw invalidOption('fsync', `must be 'batch' or 'none', got ${String(fsync)}`);
    this.logger = options.logger ?? silentLogger;
    const dir = options.dataDir;
    this.opened = dir === undefined;
    this.opening = dir === undefined ? Promise.resolve() : this.openDir(dir, fsync, snapshotEvery);
    // The error is kept and re-raised by every operation; never an unhandled rejection.
    this.opening.catch(() => undefined);
  }

  /** Creates a store and waits until its data directory (if any) is loaded. */
  static async open(options: MemoryStoreOptions = {}): Promise<MemoryStore> {
    const store = new MemoryStore(options);
    await store.ready();
    return store;
  }

  /** Resolves once the store can serve; rejects with the `Internal` error if its data cannot load. */
  ready(): Promise<void> {
    return this.opening;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    if (!this.opened) await this.opening;
    this.check();
    validateKey(key);
    return this.mvcc.get(key);
  }

  async list(prefix: string, options: StoreListOptions = {}): Promise<StoreListResult> {
    if (!this.opened) await this.opening;
    this.check();
    validatePrefix(prefix);
    const limit = options.limit ?? 0;
    validateRevision('limit', limit);
    let revision = options.revision ?? this.mvcc.revision;
    validateRevision('revision', revision);
    let after: string | undefined;
    if (options.continue !== undefined) {
      const position = decodeContinue(options.continue);
      ({ revision } = position);
      after = position.key;
    }
    if (revision > this.mvcc.revision) {
      throw invalidOption(
        'revision',
        `${revision} is in the future (current revision is ${this.mvcc.revision})`,
      );
    }
    if (revision < this.mvcc.compactRevision) {
      throw new ApiError(
        'Gone',
        after === undefined
          ? `revision ${revision} has been compacted (oldest available is ${this.mvcc.compactRevision})`
          : 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      );
    }
    const { items, more } = this.mvcc.scan(prefix, revision, after, limit);
    const last = items.at(-1);
    if (!more || last === undefined) return { items, revision };
    return { items, revision, continue: encodeContinue({ key: last.key, revision }) };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    if (!this.opened) await this.opening;
    this.check();
    validateKey(key);
    validateValue(value, this.maxValueBytes);
    return this.commit(this.mvcc.create(key, value));
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    if (!this.opened) await this.opening;
    this.check();
    validateKey(key);
    validateValue(value, this.maxValueBytes);
    validateRevision('expectedRevision', expectedRevision);
    return this.commit(this.mvcc.update(key, value, expectedRevision));
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    if (!this.opened) await this.opening;
    this.check();
    validateKey(key);
    if (expectedRevision !== undefined) validateRevision('expectedRevision', expectedRevision);
    return this.commit(this.mvcc.delete(key, expectedRevision));
  }

  watch(prefix: string, afterRevision?: number): Observable<StoreEvent> {
    return new Observable<StoreEvent>((subscriber) => {
      let watcher: Watcher | undefined;
      let cancelled = false;
      const start = (): void => {
        if (cancelled) return;
        try {
          this.check();
          validatePrefix(prefix);
          if (afterRevision !== undefined) validateRevision('afterRevision', afterRevision);
        } catch (error) {
          subscriber.error(error);
          return;
        }
        const after = afterRevision ?? this.mvcc.revision;
        if (after < this.mvcc.oldestWatchable) {
          subscriber.error(
            new ApiError(
              'Gone',
              `too old resource version: ${after} (oldest available is ${this.mvcc.oldestWatchable})`,
            ),
          );
          return;
        }
        watcher = { prefix, after, subscriber, buffer: [], closed: false };
        this.hub.add(watcher, this.mvcc.eventsAfter(prefix, after, this.delivered));
      };
      if (this.opened) start();
      else
        this.opening.then(start, (error: unknown) => {
          subscriber.error(error);
        });
      return () => {
        cancelled = true;
        if (watcher !== undefined) this.hub.remove(watcher);
      };
    });
  }

  async currentRevision(): Promise<number> {
    if (!this.opened) await this.opening;
    this.check();
    return this.mvcc.revision;
  }

  async compact(revision: number): Promise<void> {
    if (!this.opened) await this.opening;
    this.check();
    validateRevision('revision', revision);
    if (revision > this.mvcc.revision) {
      throw invalidOption(
        'revision',
        `cannot compact the future revision ${revision} (current is ${this.mvcc.revision})`,
      );
    }
    if (revision <= this.mvcc.compactRevision) return;
    this.mvcc.compact(revision);
    await this.journal?.append({ o: 'x', r: revision }, undefined);
  }

  /** Flushes acknowledged writes, completes every open watch and releases files; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.opening.catch(() => undefined);
      await this.journal?.close();
      this.hub.endAll();
    })();
    return this.closing;
  }

  private async openDir(dir: string, fsync: 'batch' | 'none', snapshotEvery: number): Promise<void> {
    const loaded = await loadDataDir(dir, this.mvcc, this.logger);
    this.delivered = this.mvcc.revision;
    const hooks = {
      onDurable: (events: StoreEvent[]) => {
        this.publish(events);
      },
      onFailure: (error: ApiError) => {
        this.failure = error;
        this.hub.endAll(error);
      },
    };
    try {
      this.journal = await Journal.open(
        dir,
        loaded,
        this.mvcc,
        { fsync, snapshotEvery, logger: this.logger },
        hooks,
      );
    } catch (error) {
      await releaseLock(dir);
      throw error;
    }
    this.compactHistory();
    this.opened = true;
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closing !== undefined) throw new ApiError('Unavailable', 'store-memory: the store is closed');
  }

  /** Publishes (in memory) or journals the write; synchronous in memory to save a promise hop. */
  private commit(event: StoreEvent): KeyValue | Promise<KeyValue> {
    this.compactHistory();
    if (this.journal === undefined) {
      this.publish([event]);
      return event.kv;
    }
    return this.journal.append(toRecord(event), event).then(() => event.kv);
  }

  private publish(events: StoreEvent[]): void {
    const last = events.at(-1);
    if (last === undefined) return;
    this.delivered = last.kv.modRevision;
    this.hub.publish(events);
  }

  /** Keeps history near `historyLimit`, compacting in steps so the cost is amortised per write. */
  private compactHistory(): void {
    const { revision, compactRevision } = this.mvcc;
    if (revision - compactRevision <= this.historyLimit + Math.ceil(this.historyLimit / 8)) return;
    // Never past what watchers were given: new watches replay from the log up to `delivered`.
    const target = Math.min(revision - this.historyLimit, this.delivered);
    if (target > compactRevision) this.mvcc.compact(target);
  }
}

function toRecord(event: StoreEvent): WriteRecord {
  const { key, value, modRevision } = event.kv;
  if (event.type === 'delete') return { o: 'd', r: modRevision, k: key };
  return { o: event.type === 'create' ? 'c' : 'u', r: modRevision, k: key, v: value };
}

function validatePrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw invalidOption('prefix', `must be a string, got ${typeof prefix}`);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw invalidOption(name, `must be a positive integer, got ${String(value)}`);
  return value;
}

function invalidOption(field: string, message: string): ApiError {
  return new ApiError('Invalid', `${field}: ${message}`, {
    causes: [{ reason: 'FieldValueInvalid', field, message }],
  });
}
