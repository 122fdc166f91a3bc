import { connect, type Socket } from 'node:net';

import { afterEach, describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@tugboat/core';

import { frameOf, watchFrame } from '../../src/http/watchLineCache.js';
import { call, openWatch, podBody, startTestServer, type TestServer } from './serverHarness.js';

const pods = '/api/v1/namespaces/default/pods';

/** A raw connection to the server that collects every byte it receives. */
async function rawConnection(url: string): Promise<{
  socket: Socket;
  received: () => Buffer;
  waitFor: (pred: (bytes: Buffer) => boolean) => Promise<Buffer>;
}> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const chunks: Buffer[] = [];
  let ended = false;
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('close', () => (ended = true));
  const received = (): Buffer => Buffer.concat(chunks);
  return {
    socket,
    received,
    async waitFor(pred) {
      const deadline = Date.now() + 10_000;
      while (!pred(received())) {
        if (ended || Date.now() > deadline)
          throw new Error(`condition not met; received: ${received().toString()}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return received();
    },
  };
}

/** One HTTP/1.1 response parsed from `bytes` at `offset`: head, de-chunked body, and where it ends. */
function parseChunked(bytes: Buffer, offset = 0): { head: string; body: string; end: number } | undefined {
  const headEnd = bytes.indexOf('\r\n\r\n', offset);
  if (headEnd < 0) return undefined;
  const head = bytes.toString('latin1', offset, headEnd);
  let at = headEnd + 4;
  const body: Buffer[] = [];
  for (;;) {
    const sizeEnd = bytes.indexOf('\r\n', at);
    if (sizeEnd < 0) return undefined;
    const size = parseInt(bytes.toString('latin1', at, sizeEnd), 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size at ${at}: ${bytes.toString()}`);
    const dataEnd = sizeEnd + 2 + size;
    if (bytes.length < dataEnd + 2) return undefined;
    if (bytes.toString('latin1', dataEnd, dataEnd + 2) !== '\r\n')
      throw new Error('chunk not closed by CRLF');
    body.push(bytes.subarray(sizeEnd + 2, dataEnd));
    at = dataEnd + 2;
    if (size === 0) return { head, body: Buffer.concat(body).toString(), end: at };
  }
}

const eventsOf = (body: string): string[] =>
  body
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const e = JSON.parse(l) as { type: string; object: { metadata: { name: string } } };
      return `${e.type} ${e.object.metadata.name}`;
    });

describe('HTTP front: watch wire format', () => {
  let t: TestServer | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await t?.close();
    t = undefined;
  });

  it('frames each event as an HTTP/1.1 chunk and ends with the last chunk, keeping the connection', async () => {
    t = await startTestServer();
    await call(t.url, 'POST', pods, podBody('a'));
    const conn = await rawConnection(t.url);
    sockets.push(conn.socket);
    conn.socket.write(
      `GET ${pods}?watch=true&resourceVersion=0&timeoutSeconds=1 HTTP/1.1\r\nHost: test\r\n\r\n`,
    );
    const bytes = await conn.waitFor((b) => parseChunked(b) !== undefined);
    const watch = parseChunked(bytes)!;
    expect(watch.head).toMatch(/^HTTP\/1\.1 200/);
    expect(watch.head).toMatch(/transfer-encoding: chunked/i);
    expect(eventsOf(watch.body)).toEqual(['ADDED a']);
    // The same connection serves the next request: the watch ended cleanly.
    conn.socket.write(`GET ${pods}/a HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n`);
    const after = await conn.waitFor((b) => b.indexOf('"name":"a"', watch.end) >= 0);
    expect(after.toString('latin1', watch.end)).toMatch(/^HTTP\/1\.1 200/);
  });

  it('writes bare lines to an HTTP/1.0 client and closes the connection at the end', async () => {
    t = await startTestServer();
    await call(t.url, 'POST', pods, podBody('a'));
    const conn = await rawConnection(t.url);
    sockets.push(conn.socket);
    const closed = new Promise<void>((resolve) => {
      conn.socket.once('close', () => {
        resolve();
      });
    });
    conn.socket.write(`GET ${pods}?watch=true&resourceVersion=0&timeoutSeconds=1 HTTP/1.0\r\n\r\n`);
    await closed;
    const text = conn.received().toString();
    const split = text.indexOf('\r\n\r\n');
    expect(text.slice(0, split)).not.toMatch(/transfer-encoding/i);
    expect(eventsOf(text.slice(split + 4))).toEqual(['ADDED a']);
  });

  it('keeps pipelined watch responses whole and in order', async () => {
    t = await startTestServer();
    await call(t.url, 'POST', pods, podBody('a'));
    const conn = await rawConnection(t.url);
    sockets.push(conn.socket);
    const request = `GET ${pods}?watch=true&resourceVersion=0&timeoutSeconds=1 HTTP/1.1\r\nHost: test\r\n\r\n`;
    conn.socket.write(request + request);
    const bytes = await conn.waitFor((b) => {
      const first = parseChunked(b);
      return first !== undefined && parseChunked(b, first.end) !== undefined;
    });
    const first = parseChunked(bytes)!;
    const second = parseChunked(bytes, first.end)!;
    expect(eventsOf(first.body)).toEqual(['ADDED a']);
    expect(eventsOf(second.body)).toEqual(['ADDED a']);
    expect(second.head).toMatch(/^HTTP\/1\.1 200/);
  });

  it('delivers every event, in order, to each of many watchers', async () => {
    t = await startTestServer();
    for (const name of ['a', 'b', 'c']) await call(t.url, 'POST', pods, podBody(name));
    const watches = await Promise.all(
      Array.from({ length: 20 }, () => openWatch(`${t!.url}${pods}?watch=true&resourceVersion=0`)),
    );
    try {
      for (const w of watches) await w.waitFor((ls) => ls.length >= 3);
      await call(t.url, 'DELETE', `${pods}/b`, {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        gracePeriodSeconds: 0,
      });
      for (const w of watches) {
        const lines = await w.waitFor((ls) => ls.length >= 4);
        expect(eventsOf(lines.join('\n'))).toEqual(['ADDED a', 'ADDED b', 'ADDED c', 'DELETED b']);
      }
    } finally {
      await Promise.all(watches.map((w) => w.close()));
    }
  });
});

describe('watchFrame', () => {
  const pod = (rv: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u1', resourceVersion: rv },
  });

  it('encodes an event once as a chunk frame whose line is valid NDJSON', () => {
    const object = pod('7');
    const frame = watchFrame({ type: 'ADDED', object });
    expect(watchFrame({ type: 'ADDED', object })).toBe(frame);
    const line = `${JSON.stringify({ type: 'ADDED', object })}\n`;
    expect(frame.line.toString()).toBe(line);
    expect(frame.chunk.toString()).toBe(`${Buffer.byteLength(line).toString(16)}\r\n${line}\r\n`);
  });

  it('encodes each event type of an object separately', () => {
    const object = pod('8');
    const added = watchFrame({ type: 'ADDED', object });
    const modified = watchFrame({ type: 'MODIFIED', object });
    expect(modified).not.toBe(added);
    expect(JSON.parse(modified.line.toString())).toMatchObject({ type: 'MODIFIED' });
  });

  it('never resends stale bytes for an object whose resourceVersion changed', () => {
    const object = pod('9');
    watchFrame({ type: 'MODIFIED', object });
    object.metadata = { ...object.metadata, resourceVersion: '10' };
    const again = JSON.parse(watchFrame({ type: 'MODIFIED', object }).line.toString()) as {
      object: KubeObject;
    };
    expect(again.object.metadata?.resourceVersion).toBe('10');
  });

  it('counts multi-byte characters in the chunk size', () => {
    const frame = frameOf('{"name":"ü✓"}\n');
    const size = parseInt(frame.chunk.toString('latin1', 0, frame.chunk.indexOf('\r\n')), 16);
    expect(size).toBe(frame.line.length);
    expect(frame.line.toString()).toBe('{"name":"ü✓"}\n');
  });
});
