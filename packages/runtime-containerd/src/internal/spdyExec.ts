import http from 'node:http';
import { Duplex } from 'node:stream';

import { ApiError, type AttachStreams } from '@tugboat/core';
import transport, { type SpdyConnection, type SpdyStream } from 'spdy-transport';

/** The remote-command protocol version asked for: v4 reports the exit code as a `metav1.Status`. */
const protocolVersion = 'v4.channel.k8s.io';

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

/**
 * Runs an exec through the one-time URL that CRI `Exec` returned, speaking the Kubernetes
 * remote-command protocol over SPDY/3.1 like kubectl does: an HTTP upgrade, then one SPDY stream
 * per channel. SPDY (unlike the WebSocket flavour of protocol v4) can half-close stdin, so a command
 * reading stdin sees its end. Resolves with the exit code once the server has closed the session.
 * The same protocol serves CRI `Attach` URLs; `streams.signal` ends the session early (a detach).
 */
export function spdyExec(
  url: string,
  streams: AttachStreams,
  connectTimeoutMs: number,
  containerId: string,
): Promise<number> {
  const fail = (message: string, cause?: unknown): ApiError =>
    new ApiError(
      'Unavailable',
      `exec in container ${containerId}: ${message}`,
      {},
      cause === undefined ? undefined : { cause },
    );

  return new Promise<number>((resolve, reject) => {
    const signal = streams.signal;
    if (signal?.aborted) {
      reject(fail('detached'));
      return;
    }
    const req = http.request(url, {
      method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': protocolVersion },
    });
    req.setTimeout(connectTimeoutMs, () =>
      req.destroy(fail(`the streaming server did not answer within ${connectTimeoutMs} ms`)),
    );
    req.on('error', (err) => {
      reject(ApiError.is(err) ? err : fail(`streaming connection failed: ${err.message}`, err));
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        reject(
          fail(`the streaming server refused the upgrade (HTTP ${res.statusCode ?? 0}): ${body.trim()}`),
        );
      });
    });
    // A detach settles at once: a session cut short may never see the replies it waits for.
    signal?.addEventListener(
      'abort',
      () => {
        reject(fail('detached'));
        req.destroy();
      },
      { once: true },
    );
    req.on('upgrade', (_res, socket, head) => {
      socket.setTimeout(0);
      if (head.length > 0) socket.unshift(head);
      session(socket, streams, connectTimeoutMs, containerId).then(resolve, reject);
    });
    req.end();
  });
}

async function session(
  socket: Duplex,
  streams: AttachStreams,
  graceMs: number,
  containerId: string,
): Promise<number> {
  const wire = shield(socket);
  const detach = (): void => {
    socket.destroy();
    wire.destroy();
  };
  if (streams.signal?.aborted) detach();
  streams.signal?.addEventListener('abort', detach);
  const conn = transport.connection.create(wire, { protocol: 'spdy', isServer: false });
  conn.start(3.1);
  conn.on('error', () => socket.destroy());
  let statusText = '';
  let statusArrived: () => void = () => undefined;
  const status = new Promise<void>((resolve) => (statusArrived = resolve));

  try {
    // The server refuses stream ids that go down, so each stream is sent before the next is made.
    const error = await open(conn, 'error');
    error.setEncoding('utf8');
    error.on('data', (chunk: string) => {
      statusText += chunk;
      // The status is one JSON document written once; frames arrive in order, so the output is in.
      if (isJson(statusText)) statusArrived();
    });
    error.end();
    const tty = streams.tty === true;
    // Input is sent only once every output stream exists: an attached process answers at once, and
    // what it writes before its stream is there is lost.
    const stdin = streams.stdin ? await open(conn, 'stdin') : undefined;
    if (streams.stdout || !streams.stderr) {
      const stdout = await open(conn, 'stdout');
      stdout.on('data', (chunk: Buffer) => streams.stdout?.write(chunk));
      stdout.end();
    }
    if (streams.stderr && !tty) {
      const stderr = await open(conn, 'stderr');
      stderr.on('data', (chunk: Buffer) => streams.stderr?.write(chunk));
      stderr.end();
    }
    // With a TTY the server also waits for a resize channel; the contract has no resize, so it stays idle.
    if (tty) (await open(conn, 'resize')).end();
    if (stdin) streams.stdin?.pipe(stdin);

    const closed = new Promise<void>((resolve) =>
      socket.once('close', () => {
        resolve();
      }),
    );
    // Header frames are inflated asynchronously, so frames read just before the close may still be
    // in the parser; give them a bounded moment before deciding the status never came.
    await Promise.race([status, closed.then(() => Promise.race([status, delay(graceMs)]))]);
    await new Promise((resolve) => setImmediate(resolve));
    return exitCodeOf(statusText, containerId);
  } finally {
    streams.signal?.removeEventListener('abort', detach);
    streams.stdin?.unpipe();
    socket.destroy();
    wire.destroy();
  }
}

/**
 * A stand-in for the socket that never reports `end` or `close` on its own: spdy-transport destroys
 * its streams when its input ends, which would drop frames its parser has read but not yet handled
 * (the exit status among them, when the server closes right after a short command). The session
 * watches the socket itself and destroys the wire when done.
 */
function shield(socket: Duplex): Duplex {
  const wire = new PassThroughDuplex(socket);
  socket.on('data', (chunk: Buffer) => {
    if (!wire.push(chunk)) socket.pause();
  });
  socket.on('error', () => undefined);
  return wire;
}

class PassThroughDuplex extends Duplex {
  constructor(private readonly socket: Duplex) {
    super();
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.socket.destroyed) done();
    else
      this.socket.write(chunk, () => {
        done();
      });
  }

  override _final(done: () => void): void {
    this.socket.end();
    done();
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function open(conn: SpdyConnection, type: StreamType): Promise<SpdyStream> {
  return new Promise((resolve, reject) => {
    const stream = conn.request(
      { method: 'POST', path: '/', host: 'localhost', headers: { streamtype: type } },
      (err) => {
        if (err)
          reject(
            new ApiError(
              'Unavailable',
              `exec: cannot open the ${type} stream: ${err.message}`,
              {},
              { cause: err },
            ),
          );
        else resolve(stream);
      },
    );
    // Go's spdystream (containerd's streaming server, as the kubelet's) answers each stream with a
    // SYN_REPLY that has no `:status`. spdy-transport resets a request stream for that, and a reset
    // stdin ends the command's input after whatever was already sent: no typing into an attach,
    // and input written after the first moments of an exec lost. The remote-command protocol needs
    // no reply, so the stream does not wait for one.
    stream._spdyState.needResponse = false;
    // A stream reset by the server ends the session, which the socket's close reports.
    stream.on('error', () => undefined);
  });
}

const noStatus = 'the session ended without an exit status';

/**
 * Whether `err` says the server closed the session without its final status. For attach that is
 * an ordinary end (client-go reads an empty error stream as success): containerd can close the
 * streams of an exited container before it writes the status.
 */
export function isMissingStatus(err: unknown): boolean {
  return ApiError.is(err, 'Internal') && err.message.endsWith(noStatus);
}

/** Reads the exit code out of the `metav1.Status` the server sends when the command ends. */
export function exitCodeOf(statusText: string, containerId: string): number {
  if (statusText === '') throw new ApiError('Internal', `exec in container ${containerId}: ${noStatus}`);
  let status: {
    status?: string;
    reason?: string;
    message?: string;
    details?: { causes?: { reason?: string; message?: string }[] };
  };
  try {
    status = JSON.parse(statusText) as typeof status;
  } catch {
    throw new ApiError('Internal', `exec in container ${containerId}: ${statusText}`);
  }
  if (status.status === 'Success') return 0;
  const exit = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  if (status.reason === 'NonZeroExitCode' && exit !== undefined && /^\d+$/.test(exit)) return Number(exit);
  const message = status.message ?? statusText;
  throw new ApiError(
    /failed to find container|container "[^"]*" not found/i.test(message) ? 'NotFound' : 'Internal',
    `exec in container ${containerId}: ${message}`,
  );
}
