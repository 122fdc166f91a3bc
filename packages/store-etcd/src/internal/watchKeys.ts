import { ApiError, type KeyValue, type StoreEvent } from '@tugboat/core';
import type { Etcd3, IEvent, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import { Observable } from 'rxjs';

import { translateError } from './errors.js';
import { rangeEnd, type KeySpace } from './keys.js';
import { toKeyValue } from './toKeyValue.js';

/**
 * Opens an etcd watch over `prefix` as a cold Observable of store events after `afterRevision`.
 *
 * etcd3's watcher reconnects on its own, but it resumes from the revision in the last response
 * header, which can run ahead of the events actually delivered (a catch-up batch carries the
 * current revision while later batches are still pending). So this tracks the last delivered
 * revision itself, points the watcher's resume request at the revision after it on every
 * (re)connection, and drops anything at or below it: no gap and no duplicate across reconnects.
 */
export function watchKeys(
  client: Etcd3,
  keys: KeySpace,
  prefix: string,
  afterRevision: number | undefined,
  call: <T>(what: string, fn: () => Promise<T>) => Promise<T>,
  open: Set<() => void>,
): Observable<StoreEvent> {
  return new Observable<StoreEvent>((subscriber) => {
    const start = keys.prefixToEtcd(prefix);
    const end = rangeEnd(start);
    let delivered = afterRevision;
    let done = false;
    let canceledByEtcd = false;
    let watcher: Watcher | undefined;

    const pin = (): void => {
      // The request object is what etcd3 re-sends when it reattaches after a disconnect.
      if (watcher && delivered !== undefined)
        (watcher.request as { start_revision?: string }).start_revision = String(delivered + 1);
    };
    const onConnected = (res: IWatchResponse): void => {
      // A watch "from now" starts after the revision current when etcd created it.
      if (delivered === undefined) delivered = Number(res.header.revision);
      pin();
    };
    const onData = (res: IWatchResponse): void => {
      const floor = delivered ?? 0;
      let last = floor;
      for (const ev of res.events) {
        const revision = Number(ev.kv.mod_revision);
        if (revision <= floor) continue;
        last = Math.max(last, revision);
        if (!done) subscriber.next(toStoreEvent(ev, keys));
      }
      // etcd never splits one revision across responses, so the floor can move per response.
      delivered = last;
      pin();
    };
    const fail = (err: unknown): void => {
      if (done) return;
      done = true;
      subscriber.error(err);
    };
    const onError = (err: unknown): void => {
      canceledByEtcd = true;
      const message = err instanceof Error ? err.message : String(err);
      // etcd cancels a watch without a reason only when its start revision has been compacted.
      fail(
        /Watcher canceled: ?$/.test(message) || /compacted/.test(message)
          ? new ApiError(
              'Gone',
              `etcd watch on "${prefix}" from revision ${(delivered ?? 0) + 1}: that revision has been compacted; relist`,
              {},
              { cause: err },
            )
          : translateError(err, `watch on "${prefix}"`),
      );
    };
    const attach = (): void => {
      if (done) return;
      const builder = client.watch().inRange({ start, end }).withPreviousKV();
      if (afterRevision !== undefined) builder.startRevision(String(afterRevision + 1));
      watcher = builder.watcher();
      watcher.on('connected', onConnected);
      watcher.on('data', onData);
      watcher.on('disconnected', pin);
      watcher.on('error', onError);
    };

    if (afterRevision !== undefined && afterRevision > 0) {
      // etcd still serves a watch from the compaction revision itself, while the contract (and a
      // read at afterRevision) treats it as gone: a one-key read at afterRevision settles it.
      call(`watch "${prefix}" from ${afterRevision}`, () =>
        client.kv.range({ key: start, range_end: end, revision: afterRevision, limit: 1, keys_only: true }),
      ).then(attach, (err: unknown) => {
        if (ApiError.is(err, 'Gone')) {
          fail(
            new ApiError(
              'Gone',
              `etcd watch on "${prefix}" after revision ${afterRevision}: that revision has been compacted; relist`,
              {},
              { cause: err },
            ),
          );
        } else if (ApiError.is(err, 'Invalid')) {
          attach(); // a future revision: etcd waits for it
        } else {
          fail(err);
        }
      });
    } else {
      attach();
    }

    // Closing the store completes its open watches.
    const complete = (): void => {
      if (done) return;
      done = true;
      subscriber.complete();
    };
    open.add(complete);

    return () => {
      done = true;
      open.delete(complete);
      if (!watcher) return;
      watcher.removeListener('connected', onConnected);
      watcher.removeListener('data', onData);
      watcher.removeListener('disconnected', pin);
      // Keep a listener so a late cancellation error is not thrown as an unhandled 'error' event.
      watcher.removeListener('error', onError);
      watcher.on('error', () => undefined);
      // A watch etcd already canceled is gone from the stream; cancelling it again would wait forever.
      if (!canceledByEtcd) watcher.cancel().catch(() => undefined);
    };
  });
}

function toStoreEvent(ev: IEvent, keys: KeySpace): StoreEvent {
  // Typed as always present, but etcd omits it when the previous version is compacted away.
  const prev = ev.prev_kv as IKeyValue | null | undefined;
  const prevKv = prev ? toKeyValue(prev, keys) : undefined;
  if (ev.type === 'Delete') {
    const kv: KeyValue = {
      key: keys.fromEtcd(ev.kv.key),
      value: prevKv?.value ?? '',
      createRevision: prevKv?.createRevision ?? 0,
      modRevision: Number(ev.kv.mod_revision),
    };
    return prevKv ? { type: 'delete', kv, prevKv } : { type: 'delete', kv };
  }
  const kv = toKeyValue(ev.kv, keys);
  const type = kv.createRevision === kv.modRevision ? 'create' : 'update';
  return prevKv ? { type, kv, prevKv } : { type, kv };
}
