import { ApiError } from '@tugboat/core';

import type { FakeClock } from '../FakeClock.js';
import { containerEnv, workingDir } from './launch.js';
import { Proc } from './Proc.js';
import type { ContainerRecord } from './records.js';
import { Shell } from './shell/Shell.js';

/** Where an exec's output goes and where its input comes from. */
export interface ExecIo {
  readonly write: (stream: 'stdout' | 'stderr', text: string) => void;
  readonly stdin?: () => Promise<string>;
  /** The same input as it arrives (read this or `stdin`, not both). */
  readonly stdinStream?: () => AsyncIterable<string>;
}

/**
 * Runs an exec in a running simulated container: the behaviour's `exec` answer when it has one,
 * else the command through the sh-subset interpreter with the container's environment, working
 * directory and files. Resolves with the exit code; rejects with `Timeout` after `timeoutMs`.
 */
export async function runExec(
  rec: ContainerRecord,
  cmd: readonly string[],
  clock: FakeClock,
  io: ExecIo,
  timeoutMs?: number,
): Promise<number> {
  if (rec.state !== 'CONTAINER_RUNNING' || !rec.proc) {
    throw new ApiError('Conflict', `container "${rec.id}" is not running (state ${rec.state})`, {
      name: rec.id,
      kind: 'Container',
    });
  }
  const answer = rec.behaviour?.exec?.(cmd);
  if (answer) {
    if (answer.stdout) io.write('stdout', answer.stdout);
    if (answer.stderr) io.write('stderr', answer.stderr);
    return answer.exitCode ?? 0;
  }
  const proc = new Proc(clock, rec.config.resources?.memoryLimitBytes);
  rec.files ??= new Map();
  const shell = new Shell(
    {
      proc,
      clock,
      files: rec.files,
      hostname: rec.hostname,
      write: (s, t) => {
        if (!proc.done) io.write(s, t);
      },
      ...(io.stdin ? { stdin: io.stdin } : {}),
      ...(io.stdinStream ? { stdinStream: io.stdinStream } : {}),
    },
    containerEnv(rec),
    workingDir(rec),
  );
  proc.start(() => shell.runArgv(cmd));
  if (timeoutMs === undefined || timeoutMs <= 0) return (await proc.exited).exitCode;
  const state = { timedOut: false };
  const timer = clock.setTimeout(() => {
    state.timedOut = true;
    proc.signal('KILL');
  }, timeoutMs);
  const info = await proc.exited;
  clock.clearTimeout(timer);
  if (state.timedOut)
    throw new ApiError(
      'Timeout',
      `exec ${JSON.stringify(cmd)} in container "${rec.id}" timed out after ${timeoutMs / 1000}s`,
    );
  return info.exitCode;
}
