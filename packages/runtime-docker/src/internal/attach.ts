import { ApiError, type AttachStreams } from '@tugboat/core';

import { withDeadline } from './deadline.js';
import type { CallContext } from './errors.js';
import { ended, sink, type ExecTarget } from './exec.js';

/**
 * Attaches to the main process of container `id` (the Engine's `POST /containers/{id}/attach`,
 * hijacked): its output goes to the caller's streams, demultiplexed unless the container has a tty,
 * and the caller's stdin feeds it when the container was created with `OpenStdin`. Resolves when
 * the container's output ends (it exited) or `signal` detaches; `Conflict` when it is not running.
 */
export async function attachStream(t: ExecTarget, id: string, streams: AttachStreams): Promise<void> {
  const ctx: CallContext = { socketPath: t.socketPath, kind: 'container', name: id };
  const container = t.docker.getContainer(id);
  const info = await withDeadline(ctx, t.callTimeoutMs, (signal) =>
    container.inspect({ abortSignal: signal }),
  );
  if (!info.State.Running) {
    throw new ApiError('Conflict', `container "${id}" is not running (state ${info.State.Status})`, {
      name: id,
      kind: 'Container',
    });
  }
  const tty = info.Config.Tty;
  const stdin = info.Config.OpenStdin ? streams.stdin : undefined;
  const socket = (await withDeadline(ctx, t.callTimeoutMs, (signal) =>
    container.attach({
      stream: true,
      stdin: stdin !== undefined,
      stdout: true,
      stderr: true,
      hijack: true,
      abortSignal: signal,
    }),
  )) as NodeJS.ReadWriteStream & { destroy(): void };
  const done = ended(socket);
  const out = (target: NodeJS.WritableStream | undefined) => sink((c) => target?.write(c));
  if (tty) socket.on('data', (c: Buffer) => streams.stdout?.write(c));
  else t.docker.modem.demuxStream(socket, out(streams.stdout), out(streams.stderr));
  if (stdin) {
    stdin.on('data', (c: Buffer | string) => socket.write(c));
    stdin.on('end', () => socket.end());
  }
  const detach = (): void => {
    socket.destroy();
  };
  if (streams.signal?.aborted) detach();
  streams.signal?.addEventListener('abort', detach);
  try {
    await done;
  } catch (err) {
    // Detaching destroys the connection on purpose; anything else is a broken stream.
    if (streams.signal?.aborted !== true)
      throw new ApiError(
        'Unavailable',
        `attach to container "${id}": the stream broke: ${String(err)}`,
        {},
        { cause: err },
      );
  } finally {
    streams.signal?.removeEventListener('abort', detach);
  }
}
