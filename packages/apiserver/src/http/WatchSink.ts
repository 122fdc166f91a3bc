import type { ServerResponse } from 'node:http';

import type { WatchFrame } from './watchLineCache.js';

const lastChunk = Buffer.from('0\r\n\r\n', 'latin1');

let dirty: WatchSink[] = [];

function flushAll(): void {
  const sinks = dirty;
  dirty = [];
  for (const sink of sinks) sink.flush();
}

/**
 * The outgoing side of one watch response. Frames written during one turn of the event loop go
 * to the socket together on the next tick, every watch's in one tight loop: one store event
 * reaches a thousand watchers as a thousand back-to-back socket writes of one shared buffer,
 * without ServerResponse's per-write framing, cork and uncork tick. Issuing them back to back
 * also keeps the kernel from waking a reader per socket, which costs more than the write itself.
 */
export class WatchSink {
  private pending: Buffer[] = [];

  /**
   * @param res the response, its headers already sent.
   * @param chunked whether `res` is chunked (HTTP/1.1); the sink then writes whole chunk frames,
   *   so the caller has turned off Node's own framing (`res.chunkedEncoding = false`).
   */
  constructor(
    private readonly res: ServerResponse,
    private readonly chunked: boolean,
  ) {}

  /** Queues one event's bytes. */
  write(frame: WatchFrame): void {
    const bytes = this.chunked ? frame.chunk : frame.line;
    if (this.pending.length === 0) {
      const socket = this.res.socket;
      // A pipelined response waits for the ones before it inside `res`: it keeps writing there.
      if (socket === null || this.res.writableLength !== socket.writableLength) {
        this.res.write(bytes);
        return;
      }
      if (dirty.length === 0) process.nextTick(flushAll);
      dirty.push(this);
    }
    this.pending.push(bytes);
  }

  /** Writes what is queued now. */
  flush(): void {
    const frames = this.pending;
    if (frames.length === 0) return;
    this.pending = [];
    const socket = this.res.socket;
    if (socket === null || socket.destroyed) return;
    socket.write(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames));
  }

  /** Writes what is queued, then the last chunk, and ends the response. */
  end(): void {
    this.flush();
    if (this.res.writableEnded) return;
    if (this.chunked) this.res.write(lastChunk);
    this.res.end();
  }
}
