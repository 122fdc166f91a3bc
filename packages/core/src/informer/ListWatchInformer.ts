import { Observable, Subject, type Subscription } from 'rxjs';

import type { ApiClient, ResourceRef } from '../api/ApiClient.js';
import type { WatchEvent } from '../api/WatchEvent.js';
import { ApiError } from '../errors/ApiError.js';
import type { Logger } from '../log/Logger.js';
import type { KubeObject } from '../meta/KubeObject.js';
import { objectKey } from '../meta/objectKey.js';
import { IndexedCache } from './IndexedCache.js';
import type { IndexFunc, Informer, InformerEvent, ObjectCache } from './Informer.js';

/** What an informer lists and watches: a namespace and selectors, as the list query parameters. */
export interface InformerScope {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** Tuning of list + watch; the defaults are client-go's and kubernetes-client's. */
export interface ListWatchOptions {
  /** Page size of the initial and re-lists (default 500). */
  readonly pageSize?: number;
  /** First retry delay after an error (default 1000 ms); doubles per consecutive failure. */
  readonly backoffBaseMs?: number;
  /** Cap of the retry delay (default 30000 ms). */
  readonly backoffMaxMs?: number;
  /** Waits `ms`; injectable so tests need not wait. Default: a real (unref'd) timer. */
  readonly delay?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1); injectable for deterministic tests. Default `Math.random`. */
  readonly random?: () => number;
}

const realDelay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
  });

/**
 * The {@link Informer} on an {@link ApiClient}: a paged list, then a watch from the list's
 * resourceVersion with bookmarks. A `Gone` watch relists and diffs the new list against the
 * cache so subscribers converge; other errors retry with jittered exponential backoff.
 */
export class ListWatchInformer<T extends KubeObject> implements Informer<T> {
  private readonly store = new IndexedCache<T>();
  private readonly subject = new Subject<InformerEvent<T>>();
  private readonly log: Logger;
  private readonly pageSize: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly delay: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private rv = '';
  private synced = false;
  private started: Promise<void> | undefined;
  private stopped = false;
  private watchSub: Subscription | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** Events seen on the current watch: a watch that made progress resets the backoff. */
  private watchEvents = 0;

  readonly events: Observable<InformerEvent<T>>;

  constructor(
    private readonly client: ApiClient,
    private readonly resource: ResourceRef<T>,
    logger: Logger,
    private readonly scope: InformerScope = {},
    options: ListWatchOptions = {},
  ) {
    this.log = logger.child({
      informer: resource.group ? `${resource.plural}.${resource.group}` : resource.plural,
    });
    this.pageSize = options.pageSize ?? 500;
    this.baseMs = options.backoffBaseMs ?? 1000;
    this.maxMs = options.backoffMaxMs ?? 30_000;
    this.delay = options.delay ?? realDelay;
    this.random = options.random ?? Math.random;
    this.events = new Observable<InformerEvent<T>>((subscriber) => {
      // Replay and subscribe in one synchronous step, so no change falls between them.
      for (const object of this.store.list()) subscriber.next({ type: 'added', object });
      return this.subject.subscribe(subscriber);
    });
  }

  get cache(): ObjectCache<T> {
    return this.store;
  }

  get resourceVersion(): string {
    return this.rv;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.store.addIndex(name, fn);
  }

  start(): Promise<void> {
    if (this.stopped) return Promise.reject(new ApiError('Unavailable', 'informer has been stopped'));
    this.started ??= new Promise<void>((resolve) => {
      this.loop = this.run(resolve);
    });
    return this.started;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.watchSub?.unsubscribe();
    this.wake?.();
    await this.loop;
    this.subject.complete();
  }

  /** Read through a method so the compiler does not narrow it across awaits. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private async run(onSynced: () => void): Promise<void> {
    let failures = 0;
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
          failures = 0;
          if (!this.synced) {
            this.synced = true;
            onSynced();
          }
        }
        await this.watch();
        // A watch that ends cleanly (server timeout) resumes from the last version seen.
      } catch (err) {
        if (this.isStopped()) break;
        if (ApiError.is(err, 'Gone')) {
          this.log.info('watch expired, relisting', { resourceVersion: this.rv });
          needList = true;
          continue;
        }
        if (this.watchEvents > 0) failures = 0;
        const ms = this.backoff(failures++);
        this.log.warn('list/watch failed, retrying', { error: String(err), retryInMs: ms, relist: needList });
        await this.sleep(ms);
      }
    }
    // Unblock a caller of start() when stopped before the first sync.
    onSynced();
  }

  /** The delay before retry `n` (0-based): equal jitter over base × 2^n, capped. */
  private backoff(n: number): number {
    const d = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(n, 30));
    return Math.round(d / 2 + (this.random() * d) / 2);
  }

  private async sleep(ms: number): Promise<void> {
    await Promise.race([this.delay(ms), new Promise<void>((resolve) => (this.wake = resolve))]);
    this.wake = undefined;
  }

  private async relist(): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv: string;
    do {
      const page = await this.client.list(this.resource, {
        ...this.scope,
        limit: this.pageSize,
        ...(cont ? { continue: cont } : {}),
      });
      items.push(...page.items);
      rv = page.metadata.resourceVersion;
      cont = page.metadata.continue;
    } while (cont && !this.stopped);
    if (this.stopped) return;
    this.replace(items, rv);
  }

  /** Swaps the cache for a fresh list, emitting the differences. */
  private replace(items: readonly T[], rv: string): void {
    const fresh = new Map(items.map((o) => [objectKey(o), o] as const));
    for (const key of this.store.keys()) {
      if (!fresh.has(key)) {
        const old = this.store.remove(key);
        if (old !== undefined) this.subject.next({ type: 'deleted', object: old });
      }
    }
    for (const object of fresh.values()) {
      const old = this.store.upsert(object);
      if (old === undefined) this.subject.next({ type: 'added', object });
      else if (old.metadata?.resourceVersion !== object.metadata?.resourceVersion) {
        this.subject.next({ type: 'updated', object, old });
      }
    }
    this.rv = rv;
  }

  private watch(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.stopped) {
        resolve();
        return;
      }
      this.watchEvents = 0;
      this.watchSub = this.client
        .watch(this.resource, { ...this.scope, resourceVersion: this.rv, allowWatchBookmarks: true })
        .subscribe({
          next: (ev) => {
            this.apply(ev);
          },
          error: (err: unknown) => {
            reject(err instanceof Error ? err : new ApiError('Internal', `watch failed: ${String(err)}`));
          },
          complete: () => {
            resolve();
          },
        });
      // Unsubscribing (stop) neither completes nor errors: settle here instead.
      this.watchSub.add(() => {
        resolve();
      });
    });
  }

  private apply(ev: WatchEvent<T>): void {
    this.watchEvents++;
    const rv = ev.object.metadata?.resourceVersion;
    switch (ev.type) {
      case 'BOOKMARK':
        break;
      case 'ADDED':
      case 'MODIFIED': {
        const old = this.store.upsert(ev.object);
        if (old === undefined) this.subject.next({ type: 'added', object: ev.object });
        // A re-watch from an empty version replays unchanged objects: not a change.
        else if (rv === undefined || old.metadata?.resourceVersion !== rv) {
          this.subject.next({ type: 'updated', object: ev.object, old });
        }
        break;
      }
      case 'DELETED': {
        const old = this.store.remove(objectKey(ev.object));
        if (old !== undefined) this.subject.next({ type: 'deleted', object: ev.object });
        break;
      }
    }
    if (rv) this.rv = rv;
  }
}
