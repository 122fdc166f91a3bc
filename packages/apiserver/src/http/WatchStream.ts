import { ApiError, escapeFieldValue } from '@tugboat/core';
import { Subscription } from 'rxjs';

import type { Registry } from '../registry/Registry.js';
import { tableVersion } from './accept.js';
import { watchQuery } from './queryOptions.js';
import type { RequestState } from './RequestState.js';
import { toTable } from './table/toTable.js';
import { frameOf, watchFrame, type WatchFrame } from './watchLineCache.js';
import { WatchSink } from './WatchSink.js';

const heartbeatFrame = frameOf('\n');

/** What the server needs to know about open watches: a way to end them all on shutdown. */
export interface WatchTracker {
  add(close: () => void): () => void;
}

/**
 * Serves a watch as newline-delimited JSON over a chunked 200 response, one event per line,
 * flushed per event: Table rows when asked (column definitions in the first event only), an
 * `ERROR` event carrying the Status for a failure (410 Expired for a compacted version) before the
 * stream ends, a bare newline on idle streams, and an end after `timeoutSeconds`.
 * Resolves when the stream has ended.
 */
export function serveWatch(
  registry: Registry,
  s: RequestState,
  tracker: WatchTracker,
  heartbeatMs: number,
): Promise<void> {
  const query = watchQuery(s.query, s.info.namespace);
  // Watching one item (`…/pods/name?watch=true`) is a collection watch narrowed to that name.
  const byName = s.info.name !== undefined ? `metadata.name=${escapeFieldValue(s.info.name)}` : undefined;
  const options =
    byName === undefined
      ? query
      : { ...query, fieldSelector: query.fieldSelector ? `${query.fieldSelector},${byName}` : byName };
  const table = tableVersion(s.req.headers.accept);
  const { res } = s;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  // The chunk frames are encoded once per event and shared by every watcher (see watchFrame), so
  // Node must not frame each write again: the stream writes whole frames and its own last chunk.
  const sink = new WatchSink(res, res.chunkedEncoding);
  res.chunkedEncoding = false;
  return new Promise<void>((resolve) => {
    // Unsubscribing before the watch is added makes `add` close it at once, so `finish` may run first.
    const subscription = new Subscription();
    let lastWrite = Date.now();
    let headersSentInTable = false;
    const write = (frame: WatchFrame): void => {
      lastWrite = Date.now();
      sink.write(frame);
    };
    const finish = (): void => {
      clearInterval(heartbeat);
      if (timeout !== undefined) clearTimeout(timeout);
      untrack();
      subscription.unsubscribe();
      sink.end();
      resolve();
    };
    const heartbeat = setInterval(
      () => {
        if (Date.now() - lastWrite >= heartbeatMs) write(heartbeatFrame);
      },
      Math.max(10, Math.floor(heartbeatMs / 2)),
    );
    heartbeat.unref();
    const timeout =
      options.timeoutSeconds !== undefined && options.timeoutSeconds > 0
        ? setTimeout(finish, options.timeoutSeconds * 1000)
        : undefined;
    const untrack = tracker.add(finish);
    s.req.on('close', finish);
    res.on('close', finish);
    subscription.add(
      registry
        .watch(
          { user: s.user, ...(s.info.namespace !== undefined ? { namespace: s.info.namespace } : {}) },
          s.def,
          options,
        )
        .subscribe({
          next: (event) => {
            let object: unknown = event.object;
            if (table !== undefined && event.type !== 'BOOKMARK') {
              object = toTable(s.def, [event.object], {
                apiVersion: table,
                includeObject: 'Metadata',
                noHeaders: headersSentInTable,
                ...(event.object.metadata?.resourceVersion !== undefined
                  ? { resourceVersion: event.object.metadata.resourceVersion }
                  : {}),
              });
              headersSentInTable = true;
            }
            write(
              object === event.object
                ? watchFrame(event)
                : frameOf(`${JSON.stringify({ type: event.type, object })}\n`),
            );
          },
          error: (err: unknown) => {
            const apiError = ApiError.is(err) ? err : new ApiError('Internal', 'the watch failed');
            write(frameOf(`${JSON.stringify({ type: 'ERROR', object: apiError.toStatus() })}\n`));
            finish();
          },
          complete: finish,
        }),
    );
  });
}
