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
import type { Etcd3, IRangeRequest } from 'etcd3';
import { defer, type Observable } from 'rxjs';

import { defaultMaxRequestBytes, type EtcdStoreOptions } from './EtcdStoreOptions.js';
import { buildClient } from './internal/client.js';
import { Compactor } from './internal/Compactor.js';
import { decodeContinue, encodeContinue } from './internal/continueToken.js';
import { timeoutError, translateError } from './internal/errors.js';
import { KeySpace, keyAfter, rangeEnd } from './internal/keys.js';
import { probeEndpoints } from './internal/probeEndpoints.js';
import { toKeyValue } from './internal/toKeyValue.js';
import {
  invalid,
  validateKey,
  validatePrefix,
  validateRevision,
  validateValue,
} from './internal/validate.js';
import { watchKeys } from './internal/watchKeys.js';

/** Room for the key, the transaction around it and gRPC framing inside etcd's request limit. */
const requestOverheadBytes = 1024;

/**
 * The {@link Store} contract on etcd v3. Revisions are etcd's: `modRevision` is the key's
 * mod_revision. Creates, updates and deletes are single transactions guarded on create_revision /
 * mod_revision; lists are one range read pinned to a revision; watches resume across reconnects
 * without gaps or duplicates; compaction is etcd's.
 *
 * Construct with {@link EtcdStore.connect} (or `createEtcdStore(url)`), which checks the endpoints
 * first; `new EtcdStore()` connects lazily and {@link EtcdStore.ready} runs the same check later.
 */
export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly keys: KeySpace;
  private readonly requestTimeoutMs: number;
  private readonly maxRequestBytes: number;
  private readonly logger: Logger;
  private readonly compactor: Compactor | undefined;
  private closed = false;
  /** Completes one open watch each; run by {@link close}. */
  private readonly openWatches = new Set<() => void>();

  constructor(private readonly options: EtcdStoreOptions) {
    if (options.endpoints.length === 0)
      throw new ApiError('BadRequest', 'etcd store: at least one endpoint is required');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.maxRequestBytes = options.maxRequestBytes ?? defaultMaxRequestBytes;
    this.logger = (options.logger ?? silentLogger).child({ component: 'store-etcd' });
    this.keys = new KeySpace(options.prefix ?? '/registry');
    this.client = buildClient(options, options.endpoints, this.requestTimeoutMs);
    if (options.compactionIntervalMs !== undefined && options.compactionIntervalMs > 0) {
      this.compactor = new Compactor(
        this.client,
        options.compactionIntervalMs,
        (rev) => this.compact(rev),
        this.logger,
      );
      this.compactor.start();
    }
  }

  /** Creates a store and waits until {@link EtcdStore.ready} succeeds; closes it again if not. */
  static async connect(options: EtcdStoreOptions): Promise<EtcdStore> {
    const store = new EtcdStore(options);
    try {
      await store.ready();
      return store;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /**
   * Checks that etcd answers on at least one endpoint. Fails with one `Unavailable` error naming each
   * endpoint and what went wrong there (refused, TLS handshake, timeout).
   */
  async ready(): Promise<void> {
    await probeEndpoints(this.options, this.options.dialTimeoutMs ?? 5_000, this.logger);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    validateKey(key);
    const k = this.keys.toEtcd(key);
    const res = await this.call(`get "${key}"`, () => this.client.kv.range({ key: k }));
    const kv = res.kvs[0];
    return kv ? toKeyValue(kv, this.keys) : undefined;
  }

  async list(prefix: string, options: StoreListOptions = {}): Promise<StoreListResult> {
    validatePrefix(prefix);
    const limit = options.limit ?? 0;
    validateRevision('limit', limit);
    if (options.revision !== undefined) validateRevision('revision', options.revision);
    const base = this.keys.prefixToEtcd(prefix);
    const req: IRangeRequest = { key: base, range_end: rangeEnd(base), limit };
    let revision = options.revision ?? 0;
    if (options.continue !== undefined) {
      const pos = decodeContinue(options.continue, prefix);
      req.key = keyAfter(this.keys.toEtcd(pos.key));
      revision = pos.revision;
    }
    if (revision > 0) req.revision = revision;
    const res = await this.call(`list "${prefix}"`, () => this.client.kv.range(req));
    const items = res.kvs.map((kv) => toKeyValue(kv, this.keys));
    const listRevision = revision > 0 ? revision : Number(res.header.revision);
    const last = items[items.length - 1];
    if (!res.more || !last) return { items, revision: listRevision };
    return {
      items,
      revision: listRevision,
      continue: encodeContinue({ key: last.key, revision: listRevision }),
      remaining: Number(res.count) - items.length,
    };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    validateKey(key);
    const k = this.keys.toEtcd(key);
    const v = this.checkSize(key, k, value);
    const res = await this.call(`create "${key}"`, () =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: v } }],
      }),
    );
    if (!res.succeeded) throw new ApiError('AlreadyExists', `key "${key}" already exists`, { name: key });
    const revision = Number(res.header.revision);
    return { key, value, createRevision: revision, modRevision: revision };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    validateKey(key);
    validateRevision('expectedRevision', expectedRevision);
    const k = this.keys.toEtcd(key);
    const v = this.checkSize(key, k, value);
    const res = await this.call(`update "${key}"`, () =>
      this.client.kv.txn({
        // The existence check keeps expectedRevision 0 (an absent key's mod_revision) from creating.
        compare: [
          { key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision },
          { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
        ],
        // The keys-only read after the put returns the create revision without echoing the value.
        success: [{ request_put: { key: k, value: v } }, { request_range: { key: k, keys_only: true } }],
        failure: [{ request_range: { key: k, keys_only: true } }],
      }),
    );
    if (!res.succeeded)
      throw this.casFailure(key, res.responses[0]?.response_range.kvs.length ?? 0, expectedRevision);
    const meta = res.responses[1]?.response_range.kvs[0];
    const revision = Number(res.header.revision);
    return {
      key,
      value,
      createRevision: meta ? Number(meta.create_revision) : revision,
      modRevision: revision,
    };
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    validateKey(key);
    if (expectedRevision !== undefined) validateRevision('expectedRevision', expectedRevision);
    const k = this.keys.toEtcd(key);
    const res = await this.call(`delete "${key}"`, () =>
      this.client.kv.txn({
        compare:
          expectedRevision === undefined
            ? [{ key: k, target: 'Create', result: 'Greater', create_revision: 0 }]
            : [
                { key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision },
                { key: k, target: 'Create', result: 'Greater', create_revision: 0 },
              ],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k, keys_only: true } }],
      }),
    );
    const prev = res.succeeded ? res.responses[0]?.response_delete_range.prev_kvs[0] : undefined;
    if (!prev)
      throw this.casFailure(
        key,
        res.succeeded ? 0 : (res.responses[0]?.response_range.kvs.length ?? 0),
        expectedRevision,
      );
    return { ...toKeyValue(prev, this.keys), modRevision: Number(res.header.revision) };
  }

  watch(prefix: string, afterRevision?: number): Observable<StoreEvent> {
    // Deferred so that bad arguments arrive on the error channel, like every other watch failure.
    return defer(() => {
      validatePrefix(prefix);
      if (afterRevision !== undefined) validateRevision('afterRevision', afterRevision);
      if (this.closed) throw new ApiError('Unavailable', 'etcd watch: the store is closed');
      return watchKeys(
        this.client,
        this.keys,
        prefix,
        afterRevision,
        (what, fn) => this.call(what, fn),
        this.openWatches,
      );
    });
  }

  async currentRevision(): Promise<number> {
    const base = this.keys.prefixToEtcd('');
    const res = await this.call('read revision', () => this.client.kv.range({ key: base, count_only: true }));
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    validateRevision('revision', revision);
    if (revision === 0) return;
    try {
      await this.call(`compact to ${revision}`, () => this.client.kv.compact({ revision, physical: true }));
    } catch (err) {
      // Compacting what is already compacted is done, not a failure.
      if (ApiError.is(err, 'Gone')) return;
      if (ApiError.is(err, 'Invalid'))
        throw invalid('revision', `cannot compact the future revision ${revision}`);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const complete of [...this.openWatches]) complete();
    await this.compactor?.stop();
    this.client.close();
  }

  /** Runs one etcd call under the request timeout, translating every failure. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new ApiError('Unavailable', `etcd ${what}: the store is closed`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(timeoutError(what, this.requestTimeoutMs));
      }, this.requestTimeoutMs);
    });
    try {
      return await Promise.race([fn(), deadline]);
    } catch (err) {
      const apiErr = translateError(err, what);
      if (apiErr.code === 'Unavailable')
        this.logger.debug('etcd call failed', { what, error: apiErr.message });
      throw apiErr;
    } finally {
      clearTimeout(timer);
    }
  }

  private checkSize(key: string, k: Buffer, value: string): Buffer {
    validateValue(value);
    const v = Buffer.from(value, 'utf8');
    const size = k.length + v.length + requestOverheadBytes;
    if (size > this.maxRequestBytes) {
      throw new ApiError(
        'RequestEntityTooLarge',
        `value of "${key}" is ${v.length} bytes; etcd accepts requests up to ${this.maxRequestBytes} bytes (--max-request-bytes)`,
        { name: key },
      );
    }
    return v;
  }

  private casFailure(key: string, found: number, expectedRevision: number | undefined): ApiError {
    if (found === 0) return new ApiError('NotFound', `key "${key}" not found`, { name: key });
    return new ApiError(
      'Conflict',
      `key "${key}" has been modified since revision ${expectedRevision ?? '?'}`,
      { name: key },
    );
  }
}
