import type { KubeObject, WatchEvent } from '@tugboat/core';

/**
 * One watch event encoded for the wire: the NDJSON line inside its HTTP/1.1 chunk frame
 * (`<hex length>\r\n<line>\r\n`), in one buffer that every socket writes as is.
 */
export interface WatchFrame {
  /** The chunk-framed bytes. */
  readonly chunk: Buffer;
  /** The bare line (a view into `chunk`), for responses that are not chunked. */
  readonly line: Buffer;
}

type EventType = WatchEvent<KubeObject>['type'];

interface Encoded {
  readonly resourceVersion: string | undefined;
  readonly frames: Partial<Record<EventType, WatchFrame>>;
}

// Keyed by the object itself: the registry hands every watcher of a change the same decoded
// object, so a thousand watchers share one encoding, and it goes when the object does.
const encoded = new WeakMap<object, Encoded>();

/**
 * The wire form of a watch event, encoded once per change however many watchers receive it. An
 * object carries one resourceVersion for life (the registry never mutates an emitted object); the
 * version is checked anyway so a reused object can never resend stale bytes.
 */
export function watchFrame(event: WatchEvent<KubeObject>): WatchFrame {
  const rv = event.object.metadata?.resourceVersion;
  let entry = encoded.get(event.object);
  if (entry === undefined || entry.resourceVersion !== rv) {
    entry = { resourceVersion: rv, frames: {} };
    encoded.set(event.object, entry);
  }
  let frame = entry.frames[event.type];
  if (frame === undefined) {
    frame = frameOf(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
    entry.frames[event.type] = frame;
  }
  return frame;
}

/** Frames one line of text (which ends in a newline) as an HTTP/1.1 chunk. */
export function frameOf(line: string): WatchFrame {
  const length = Buffer.byteLength(line);
  const head = `${length.toString(16)}\r\n`;
  const chunk = Buffer.allocUnsafeSlow(head.length + length + 2);
  chunk.write(head, 0, 'latin1');
  chunk.write(line, head.length, 'utf8');
  chunk.write('\r\n', head.length + length, 'latin1');
  return { chunk, line: chunk.subarray(head.length, head.length + length) };
}
