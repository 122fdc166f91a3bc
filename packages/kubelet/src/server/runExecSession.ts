import { PassThrough, Writable } from 'node:stream';

import { ApiError, type ExecStreams, type Logger, type Runtime } from '@tugboat/core';
import { WebSocket, type RawData } from 'ws';

/** The channels of the Kubernetes streaming protocol (`v4`/`v5.channel.k8s.io`). */
const channel = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 } as const;

/** The WebSocket subprotocols the kubelet speaks for exec, most preferred first. */
export const execProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

/** One exec as asked for in the query. */
export interface ExecRequest {
  readonly containerId: string;
  readonly command: readonly string[];
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * The Status the kubelet writes on channel 3 when an exec ends, as upstream's remotecommand
 * server does: Success, a NonZeroExitCode Failure whose cause carries the exit code (kubectl exits
 * with it), or an InternalError Failure when the command could not be run at all.
 */
export function execStatus(command: readonly string[], outcome: number | ApiError): Record<string, unknown> {
  if (outcome === 0) return { metadata: {}, status: 'Success' };
  if (typeof outcome === 'number') {
    return {
      metadata: {},
      status: 'Failure',
      message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${outcome}`,
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(outcome) }] },
    };
  }
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: error executing command in container: ${outcome.message}`,
    reason: 'InternalError',
    code: 500,
  };
}

/**
 * Runs one exec over an upgraded WebSocket: stdin frames (channel 0) feed the command until the
 * client half-closes it (`[255, 0]`, v5) or goes away; its output goes out on channels 1 and 2
 * (only 1 with a tty); the final Status goes on channel 3 and the socket is closed. Resolves when
 * the session is over; never rejects.
 */
export function runExecSession(
  ws: WebSocket,
  request: ExecRequest,
  runtime: Runtime,
  logger: Logger,
): Promise<void> {
  return runStreamSession(ws, request, logger, async (streams) => {
    try {
      return execStatus(request.command, await runtime.exec(request.containerId, request.command, streams));
    } catch (err) {
      const outcome = ApiError.is(err) ? err : new ApiError('Internal', String(err), {}, { cause: err });
      logger.debug('exec failed', { containerId: request.containerId, err: outcome.message });
      return execStatus(request.command, outcome);
    }
  });
}

/** One attach as asked for in the query: which streams of the container's main process. */
export type AttachRequest = Omit<ExecRequest, 'command'>;

/**
 * Runs one attach over an upgraded WebSocket, as {@link runExecSession} runs an exec, on the
 * container's main process ({@link Runtime.attach}): output flows until the container exits or the
 * client goes away (which detaches and leaves the container running); then a Success Status, or an
 * InternalError one when the runtime could not attach, goes on channel 3.
 */
export function runAttachSession(
  ws: WebSocket,
  request: AttachRequest,
  runtime: Runtime,
  logger: Logger,
): Promise<void> {
  return runStreamSession(ws, request, logger, async (streams, signal) => {
    try {
      if (runtime.attach === undefined)
        throw new ApiError('BadRequest', `the container runtime ${runtime.name} does not support attach`);
      await runtime.attach(request.containerId, { ...streams, signal });
      return { metadata: {}, status: 'Success' };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      logger.debug('attach failed', { containerId: request.containerId, err: message });
      return {
        metadata: {},
        status: 'Failure',
        message: `Internal error occurred: error attaching to container: ${message}`,
        reason: 'InternalError',
        code: 500,
      };
    }
  });
}

/** The streaming protocol around one exec or attach: frames in, frames out, a Status at the end. */
async function runStreamSession(
  ws: WebSocket,
  request: AttachRequest,
  logger: Logger,
  run: (streams: ExecStreams, signal: AbortSignal) => Promise<Record<string, unknown>>,
): Promise<void> {
  const send = (ch: number, data: Buffer): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(Buffer.concat([Buffer.from([ch]), data]));
  };
  const output = (ch: number): Writable =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        send(ch, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        callback();
      },
    });
  const stdin = request.stdin ? new PassThrough() : undefined;
  const gone = new AbortController();
  const endStdin = (): void => {
    if (stdin !== undefined && !stdin.writableEnded) stdin.end();
  };
  ws.on('message', (data: RawData) => {
    const buf = toBuffer(data);
    const ch = buf[0];
    if (ch === channel.stdin && stdin !== undefined && !stdin.writableEnded) stdin.write(buf.subarray(1));
    else if (ch === channel.close && buf[1] === channel.stdin) endStdin();
    // Resize (channel 4) has no counterpart in the Runtime contract; the terminal keeps its size.
  });
  ws.on('close', () => {
    endStdin();
    gone.abort();
  });
  ws.on('error', (err) => {
    logger.debug('stream session error', { err: String(err) });
    endStdin();
    gone.abort();
  });
  const status = await run(
    {
      ...(stdin !== undefined ? { stdin } : {}),
      ...(request.stdout || request.tty ? { stdout: output(channel.stdout) } : {}),
      ...(request.stderr ? { stderr: output(request.tty ? channel.stdout : channel.stderr) } : {}),
      tty: request.tty,
    },
    gone.signal,
  );
  send(channel.status, Buffer.from(JSON.stringify(status)));
  if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  endStdin();
}
