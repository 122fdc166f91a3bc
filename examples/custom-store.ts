/**
 * A Store of one's own: `LogStore` keeps every write in one append-only log and derives reads,
 * past revisions, pagination and watches from it — about 150 lines that pass the shared Store
 * conformance suite (see custom-store.test.ts) and then carry a whole API server.
 * Run it: `pnpm exec tsx examples/custom-store.ts`.
 */
import { apiserverModule } from '@tugboat/apiserver';
import {
  ApiClient,
  ApiError,
  Store,
  resources,
  type KeyValue,
  type StoreEvent,
  type StoreListOptions,
  type StoreListResult,
} from '@tugboat/core';
import { Container } from 'inversify';
import { Observable, Subject } from 'rxjs';

// ---- user code starts here ----
/** A Store that is one append-only log of events; revision N is the N-th entry. Not for production. */
export class LogStore implements Store {
  private readonly log: StoreEvent[] = [];
  private readonly live = new Subject<StoreEvent>();
  private compacted = 0;
  private closed = false;

  get(key: string): Promise<KeyValue | undefined> {
    return this.run(() => (checkKey(key), this.stateAt(this.log.length).get(key)));
  }

  list(prefix: string, options: StoreListOptions = {}): Promise<StoreListResult> {
    return this.run(() => {
      const from = options.continue !== undefined ? decodeToken(options.continue) : undefined;
      const revision = from?.revision ?? options.revision ?? this.log.length;
      if (revision < this.compacted || revision > this.log.length)
        throw new ApiError('Gone', `revision ${revision} is not available (compacted at ${this.compacted})`);
      const all = [...this.stateAt(revision).values()]
        .filter((kv) => kv.key.startsWith(prefix) && (from === undefined || byteOrder(kv.key, from.key) > 0))
        .sort((a, b) => byteOrder(a.key, b.key));
      const limit = options.limit ?? all.length;
      const items = all.slice(0, Math.max(limit, 0) || all.length);
      const last = items[items.length - 1];
      if (last === undefined || items.length === all.length) return { items, revision };
      return {
        items,
        revision,
        continue: encodeToken(last.key, revision),
        remaining: all.length - items.length,
      };
    });
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.run(() => {
      checkKey(key);
      checkValue(value);
      if (this.current(key) !== undefined) throw new ApiError('AlreadyExists', `key ${key} exists`);
      const rev = this.log.length + 1;
      return this.append({ type: 'create', kv: { key, value, createRevision: rev, modRevision: rev } }).kv;
    });
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.run(() => {
      checkKey(key);
      checkValue(value);
      const prev = this.mustMatch(key, expectedRevision);
      const kv = { key, value, createRevision: prev.createRevision, modRevision: this.log.length + 1 };
      return this.append({ type: 'update', kv, prevKv: prev }).kv;
    });
  }

  delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.run(() => {
      checkKey(key);
      const prev = this.mustMatch(key, expectedRevision);
      return this.append({ type: 'delete', kv: { ...prev, modRevision: this.log.length + 1 }, prevKv: prev })
        .kv;
    });
  }

  watch(prefix: string, afterRevision?: number): Observable<StoreEvent> {
    return new Observable<StoreEvent>((subscriber) => {
      if (this.closed) {
        subscriber.complete();
        return undefined;
      }
      const after = afterRevision ?? this.log.length;
      if (after + 1 < this.compacted) {
        subscriber.error(new ApiError('Gone', `too old resource version: ${after}`));
        return undefined;
      }
      // Replay and subscribe in the same tick: JavaScript runs no write in between.
      for (const event of this.log.slice(after)) if (event.kv.key.startsWith(prefix)) subscriber.next(event);
      const subscription = this.live.subscribe({
        next: (event) => {
          if (event.kv.modRevision > after && event.kv.key.startsWith(prefix)) subscriber.next(event);
        },
        complete: () => {
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
      };
    });
  }

  currentRevision(): Promise<number> {
    return this.run(() => this.log.length);
  }

  compact(revision: number): Promise<void> {
    return this.run(() => {
      if (revision > this.log.length)
        throw new ApiError('BadRequest', `cannot compact the future ${revision}`);
      // A real store would drop the history here; this one only stops serving it.
      this.compacted = Math.max(this.compacted, revision);
    });
  }

  close(): Promise<void> {
    this.closed = true;
    this.live.complete();
    return Promise.resolve();
  }

  private run<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new ApiError('Unavailable', 'the store is closed'));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private append(event: StoreEvent): StoreEvent {
    this.log.push(event);
    this.live.next(event);
    return event;
  }

  private current(key: string): KeyValue | undefined {
    return this.stateAt(this.log.length).get(key);
  }

  private mustMatch(key: string, expectedRevision: number | undefined): KeyValue {
    const prev = this.current(key);
    if (prev === undefined) throw new ApiError('NotFound', `key ${key} not found`);
    if (expectedRevision !== undefined && prev.modRevision !== expectedRevision)
      throw new ApiError(
        'Conflict',
        `key ${key} is at revision ${prev.modRevision}, not ${expectedRevision}`,
      );
    return prev;
  }

  /** The live keys at `revision`, by replaying the log up to it. */
  private stateAt(revision: number): Map<string, KeyValue> {
    const state = new Map<string, KeyValue>();
    for (const { type, kv } of this.log.slice(0, revision))
      if (type === 'delete') state.delete(kv.key);
      else state.set(kv.key, kv);
    return state;
  }
}

/** Composes an API server on the LogStore: the one line is the `Store` binding. */
export function startApiOnLogStore(): { api: ApiClient; stop: () => Promise<void> } {
  const container = new Container();
  container.bind(Store).toConstantValue(new LogStore());
  container.load(apiserverModule());
  return { api: container.get(ApiClient), stop: () => container.get(Store).close() };
}
// ---- user code ends here ----

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '' || key.includes('\u0000') || !wellFormed(key))
    throw new ApiError('Invalid', `key: must be a non-empty, well-formed string without NUL`);
}

function checkValue(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !wellFormed(value))
    throw new ApiError('Invalid', 'value: must be a well-formed string');
}

function wellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** etcd orders keys by their UTF-8 bytes. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function encodeToken(key: string, revision: number): string {
  return Buffer.from(JSON.stringify({ k: key, r: revision })).toString('base64url');
}

function decodeToken(token: string): { key: string; revision: number } {
  try {
    const { k, r } = JSON.parse(Buffer.from(token, 'base64url').toString()) as { k?: unknown; r?: unknown };
    if (typeof k === 'string' && Number.isSafeInteger(r)) return { key: k, revision: r as number };
  } catch {
    // falls through to the error below
  }
  throw new ApiError('BadRequest', 'malformed continue token');
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const { api, stop } = startApiOnLogStore();
  await api.create(resources.ConfigMaps, {
    metadata: { name: 'hello', namespace: 'default' },
    data: { a: '1' },
  });
  const list = await api.list(resources.ConfigMaps, { namespace: 'default' });
  console.log(list.items.map((c) => c.metadata?.name).join(', '));
  await stop();
}
