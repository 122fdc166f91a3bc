import type { IncomingMessage } from 'node:http';

import { ApiError, type KubeObject, type WatchEvent, type WatchEventType } from '@tugboat/core';
import { Observable } from 'rxjs';

import { decodeResponse, isStatus } from './decodeResponse.js';
import type { Transport } from './Transport.js';

const eventTypes = new Set<string>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

/**
 * A cold Observable over one HTTP watch: subscribing sends the request, each NDJSON line becomes
 * an event, an `ERROR` line (e.g. 410 Expired) becomes an `ApiError` on the error channel, the end
 * of the stream completes, and unsubscribing aborts the request.
 */
export function watchStream<T extends KubeObject>(
  transport: Transport,
  path: string,
): Observable<WatchEvent<T>> {
  return new Observable<WatchEvent<T>>((subscriber) => {
    let abort: (() => void) | undefined;
    let closed = false;
    const fail = (err: unknown): void => {
      if (!closed) subscriber.error(err);
      closed = true;
      abort?.();
    };
    const onResponse = (res: IncomingMessage): void => {
      if (closed) {
        res.destroy();
        return;
      }
      if ((res.statusCode ?? 0) !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            decodeResponse({
              status: res.statusCode ?? 0,
              contentType: res.headers['content-type'] ?? '',
              body: Buffer.concat(chunks),
            });
            fail(new ApiError('Internal', `the watch answered HTTP ${res.statusCode}`));
          } catch (err) {
            fail(err);
          }
        });
        return;
      }
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while (!closed && (nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line !== '') handleLine(line);
        }
      });
      res.on('end', () => {
        if (!closed) {
          closed = true;
          subscriber.complete();
        }
      });
      res.on('error', (err) => {
        fail(new ApiError('Unavailable', `the watch stream broke: ${err.message}`));
      });
    };
    const handleLine = (line: string): void => {
      let event: { type?: unknown; object?: unknown };
      try {
        event = JSON.parse(line) as { type?: unknown; object?: unknown };
      } catch {
        fail(new ApiError('Internal', 'the server sent a malformed watch event'));
        return;
      }
      if (event.type === 'ERROR') {
        fail(
          isStatus(event.object)
            ? ApiError.fromStatus(event.object)
            : new ApiError('Internal', 'the watch failed'),
        );
        return;
      }
      if (typeof event.type !== 'string' || !eventTypes.has(event.type)) return;
      subscriber.next({ type: event.type as WatchEventType, object: event.object as T });
    };
    transport.open('GET', path, undefined, undefined, (a) => (abort = a)).then(onResponse, fail);
    return () => {
      closed = true;
      abort?.();
    };
  });
}
