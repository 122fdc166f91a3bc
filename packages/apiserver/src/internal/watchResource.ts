import {
  ApiError,
  apiVersionOf,
  type KeyValue,
  type KubeObject,
  type ResourceDefinition,
  type Store,
  type StoreEvent,
  type WatchEvent,
} from '@tugboat/core';
import { Observable } from 'rxjs';

import { asApiError, decode } from './codec.js';
import { decoded } from './decodedEvent.js';
import type { Selection } from './selection.js';
import type { WatchFanout } from './WatchFanout.js';

/**
 * What a resource watch needs: the store, the resource, its key prefix and the selection, and the
 * resource's fan-out when the server shares one store watch among its watches.
 */
export interface WatchSource {
  readonly store: Store;
  readonly fanout?: WatchFanout;
  readonly def: ResourceDefinition;
  readonly prefix: string;
  readonly selection: Selection;
  readonly bookmarkIntervalMs: number;
}

/** The watch request parameters the registry honours. */
export interface WatchParams {
  readonly resourceVersion?: string;
  readonly allowWatchBookmarks?: boolean;
  readonly timeoutSeconds?: number;
}

/**
 * A Kubernetes watch over the store: with no resourceVersion (or "0") the current objects first
 * arrive as ADDED, then every change; with a version, the changes after it. Selectors turn an
 * object leaving the selection into DELETED and one entering it into ADDED. Periodic BOOKMARKs
 * carry the latest revision seen. A compacted version errors with `Gone`.
 */
export function watchResource(src: WatchSource, params: WatchParams): Observable<WatchEvent<KubeObject>> {
  return new Observable<WatchEvent<KubeObject>>((subscriber) => {
    let last = 0;
    let inner: { unsubscribe(): void } | undefined;
    const timers: NodeJS.Timeout[] = [];
    const emit = (type: WatchEvent<KubeObject>['type'], object: KubeObject): void => {
      last = Math.max(last, Number(object.metadata?.resourceVersion ?? 0));
      subscriber.next({ type, object });
    };
    const onEvent = (ev: StoreEvent): void => {
      const d = decoded(src.def, ev);
      const now = d.now;
      if (ev.type === 'delete') {
        const gone = d.before ?? now;
        if (src.selection.matches(gone)) emit('DELETED', gone);
        else last = ev.kv.modRevision;
        return;
      }
      const isNow = src.selection.matches(now);
      // Without a selector every object matches: the previous one need not be parsed.
      const wasBefore =
        ev.type === 'update' &&
        (src.selection.empty || ev.prevKv === undefined ? isNow : src.selection.matches(d.before ?? now));
      if (isNow && wasBefore) emit('MODIFIED', now);
      else if (isNow) emit('ADDED', now);
      else if (wasBefore) emit('DELETED', now);
      else last = ev.kv.modRevision;
    };
    const start = async (): Promise<void> => {
      let from: number;
      const rv = params.resourceVersion;
      if (rv === undefined || rv === '' || rv === '0') {
        const page = await src.store.list(src.prefix);
        from = page.revision;
        for (const kv of page.items as KeyValue[]) {
          const obj = decode(src.def, kv);
          if (src.selection.matches(obj)) subscriber.next({ type: 'ADDED', object: obj });
        }
      } else {
        if (!/^\d+$/.test(rv))
          throw new ApiError('BadRequest', `invalid resourceVersion: ${JSON.stringify(rv)}`);
        from = Number(rv);
      }
      last = Math.max(last, from);
      if (subscriber.closed) return;
      const sink = {
        prefix: src.prefix,
        ...(src.selection.equality !== undefined ? { equality: src.selection.equality } : {}),
        next: (ev: StoreEvent) => {
          try {
            onEvent(ev);
          } catch (err) {
            subscriber.error(asApiError(err));
          }
        },
        error: (err: unknown) => {
          subscriber.error(asApiError(err));
        },
        complete: () => {
          subscriber.complete();
        },
      };
      inner = src.fanout ? src.fanout.watch(sink, from) : src.store.watch(src.prefix, from).subscribe(sink);
    };
    start().catch((err: unknown) => {
      subscriber.error(asApiError(err));
    });
    if (params.allowWatchBookmarks) {
      const timer = setInterval(() => {
        if (last === 0) return;
        subscriber.next({
          type: 'BOOKMARK',
          object: {
            apiVersion: apiVersionOf(src.def),
            kind: src.def.kind,
            metadata: { resourceVersion: String(last) },
          },
        });
      }, src.bookmarkIntervalMs);
      timer.unref();
      timers.push(timer);
    }
    if (params.timeoutSeconds !== undefined && params.timeoutSeconds > 0) {
      const timer = setTimeout(() => {
        subscriber.complete();
      }, params.timeoutSeconds * 1000);
      timer.unref();
      timers.push(timer);
    }
    return () => {
      inner?.unsubscribe();
      for (const t of timers) clearTimeout(t);
    };
  });
}
