import { Writable } from 'node:stream';

import type Docker from 'dockerode';
import { ApiError, type ExecStreams, type ExecSyncResult } from '@tugboat/core';

import { withDeadline } from './deadline.js';
import type { CallContext } from './errors.js';

/** How exec calls reach the Engine and how long each setup call may take. */
export interface ExecTarget {
  readonly docker: Docker;
  readonly socketPath: string;
  readonly callTimeoutMs: number;
}

/** A writable that hands each chunk to `onChunk`. */
export function sink(onChunk: (chunk: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      onChunk(chunk);
      callback();
    },
  });
}

/** Settles when the stream ends or closes; rejects when it errors. */
export function ended(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
}

async function createExec(
  t: ExecTarget,
  ctx: CallContext,
  id: string,
  cmd: readonly string[],
  opts: object,
): Promise<Docker.Exec> {
  if (cmd.length === 0) throw new ApiError('BadRequest', `exec in container "${id}": the command is empty`);
  return withDeadline(ctx, t.callTimeoutMs, (signal) =>
    t.docker
      .getContainer(id)
      .exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true, abortSignal: signal, ...opts }),
  );
}

// The output stream ends a moment before the Engine records the exit code, so poll briefly.
async function exitCode(t: ExecTarget, ctx: CallContext, exec: Docker.Exec): Promise<number> {
  return withDeadline(ctx, t.callTimeoutMs, async (signal) => {
    for (;;) {
      const info = await exec.inspect({ abortSignal: signal });
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
}

/** Runs `cmd` in container `id` and collects stdout, stderr and the exit code, within `timeoutMs`. */
export async function execSync(
  t: ExecTarget,
  id: string,
  cmd: readonly string[],
  timeoutMs: number,
): Promise<ExecSyncResult> {
  const ctx: CallContext = { socketPath: t.socketPath, kind: 'container', name: id };
  const exec = await createExec(t, ctx, id, cmd, {});
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let socket: NodeJS.ReadWriteStream | undefined;
  try {
    await withDeadline(ctx, timeoutMs, async (signal) => {
      socket = await exec.start({ hijack: true, stdin: false, abortSignal: signal });
      const done = ended(socket);
      t.docker.modem.demuxStream(
        socket,
        sink((c) => stdout.push(c)),
        sink((c) => stderr.push(c)),
      );
      await done;
    });
  } catch (err) {
    (socket as { destroy?: () => void } | undefined)?.destroy?.();
    if (ApiError.is(err, 'Timeout')) {
      await killExec(t, exec);
      throw new ApiError(
        'Timeout',
        `exec ${JSON.stringify(cmd)} in container "${id}" did not finish within ${timeoutMs} ms`,
        {},
        { cause: err },
      );
    }
    throw err;
  }
  return {
    stdout: Buffer.concat(stdout),
    stderr: Buffer.concat(stderr),
    exitCode: await exitCode(t, ctx, exec),
  };
}

// The Engine cannot kill an exec; the process lives on this machine, so signal it by its pid.
async function killExec(t: ExecTarget, exec: Docker.Exec): Promise<void> {
  try {
    const info = await withDeadline({ socketPath: t.socketPath, kind: 'exec' }, t.callTimeoutMs, (signal) =>
      exec.inspect({ abortSignal: signal }),
    );
    if (info.Running && info.Pid > 0) process.kill(info.Pid, 'SIGKILL');
  } catch {
    // best effort: the command may have ended on its own meanwhile
  }
}

/** Runs `cmd` in container `id` wired to the caller's streams; resolves with the exit code. */
export async function execStream(
  t: ExecTarget,
  id: string,
  cmd: readonly string[],
  streams: ExecStreams,
): Promise<number> {
  const ctx: CallContext = { socketPath: t.socketPath, kind: 'container', name: id };
  const tty = streams.tty === true;
  const stdin = streams.stdin;
  const exec = await createExec(t, ctx, id, cmd, { AttachStdin: stdin !== undefined, Tty: tty });
  const socket = (await withDeadline(ctx, t.callTimeoutMs, (signal) =>
    exec.start({ hijack: true, stdin: stdin !== undefined, Tty: tty, abortSignal: signal }),
  )) as NodeJS.ReadWriteStream;
  const done = ended(socket);
  const out = (target: NodeJS.WritableStream | undefined) => sink((c) => target?.write(c));
  if (tty) socket.on('data', (c: Buffer) => streams.stdout?.write(c));
  else t.docker.modem.demuxStream(socket, out(streams.stdout), out(streams.stderr));
  if (stdin) {
    stdin.on('data', (c: Buffer | string) => socket.write(c));
    // Half-closing the connection is how the Engine learns that stdin reached its end.
    stdin.on('end', () => socket.end());
  }
  try {
    await done;
  } catch (err) {
    throw new ApiError(
      'Unavailable',
      `exec in container "${id}": the stream broke: ${String(err)}`,
      {},
      { cause: err },
    );
  }
  return exitCode(t, ctx, exec);
}
