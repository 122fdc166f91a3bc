import { ApiError } from '@tugboat/core';

import type { FakeBehaviours } from '../FakeBehaviour.js';
import { AttachHub } from './AttachHub.js';
import type { FakeClock } from '../FakeClock.js';
import type { FakeImageSpec } from './ImageStore.js';
import { LogWriter } from './LogWriter.js';
import { Proc, type ExitInfo } from './Proc.js';
import type { ContainerRecord } from './records.js';
import { runSteps } from './runSteps.js';
import { builtins } from './shell/builtins.js';
import { Shell } from './shell/Shell.js';

/** The command a container runs: CRI semantics (command replaces the entrypoint; args replace cmd). */
export function containerArgv(rec: ContainerRecord, image: FakeImageSpec): string[] {
  const { command, args } = rec.config;
  const entry = command && command.length > 0 ? command : (image.entrypoint ?? []);
  const rest = args && args.length > 0 ? args : command && command.length > 0 ? [] : (image.cmd ?? []);
  return [...entry, ...rest];
}

/** Writer of the container's log, made on first use. */
export function logOf(rec: ContainerRecord, clock: FakeClock): LogWriter {
  return (rec.log ??= new LogWriter(rec.logPath, clock));
}

/**
 * Starts a container's main process: its scripted behaviour when one is registered, else its
 * command through the sh-subset interpreter. Calls `onExit` once it ends. Throws `Invalid` (and
 * leaves the container exited with reason `StartError`) when the command is not a known program.
 */
export function launch(
  rec: ContainerRecord,
  image: FakeImageSpec,
  clock: FakeClock,
  registry: FakeBehaviours,
  onExit: (info: ExitInfo) => void,
): void {
  const argv = containerArgv(rec, image);
  const behaviour = registry.resolve({
    name: rec.config.metadata.name,
    attempt: rec.config.metadata.attempt,
    image: rec.config.image,
    podName: rec.podName,
    podNamespace: rec.podNamespace,
    command: argv,
  });
  const program = (argv[0] ?? '').split('/').pop() ?? '';
  if (!behaviour?.steps && !builtins[program]) {
    const message = `exec: "${argv[0] ?? ''}": executable file not found in $PATH`;
    onExit({ exitCode: 128, reason: 'StartError', message });
    throw new ApiError('Invalid', `cannot start container ${rec.id}: ${message}`);
  }
  const proc: Proc = new Proc(clock, rec.config.resources?.memoryLimitBytes, (info) => {
    rec.allocated = proc.allocated;
    rec.log?.flush();
    onExit(info);
  });
  const term = behaviour?.onSigterm;
  if (term) proc.termAction = term === 'die' || term === 'ignore' ? term : { exitCode: term.exitCode };
  rec.image = image;
  if (behaviour) rec.behaviour = behaviour;
  rec.proc = proc;
  const write = (stream: 'stdout' | 'stderr', text: string): void => {
    if (proc.done) return;
    logOf(rec, clock).write(stream, text);
    rec.attached?.emit(stream, text);
  };
  const steps = behaviour?.steps;
  if (steps && steps.length === 1 && steps[0] && 'forever' in steps[0]) return; // idle: no body, no timer
  if (steps) {
    proc.start((p) => runSteps(steps, p, write));
    return;
  }
  rec.files ??= new Map();
  const shell = new Shell(
    {
      proc,
      clock,
      files: rec.files,
      hostname: rec.hostname,
      write,
      // A container created with stdin reads what attached clients send (`kubectl attach -i`).
      ...(rec.config.stdin ? { stdin: () => hubOf(rec).input, stdinStream: () => hubOf(rec).stream() } : {}),
    },
    containerEnv(rec),
    workingDir(rec),
    ['sh'],
  );
  proc.start(() => shell.runArgv(argv));
}

/** The attach hub of a container, made on first use. */
export function hubOf(rec: ContainerRecord): AttachHub {
  return (rec.attached ??= new AttachHub());
}

/** A fresh copy of the environment the container's processes get: the image's, HOSTNAME, then the config's. */
export function containerEnv(rec: ContainerRecord): Map<string, string> {
  const env = new Map<string, string>();
  for (const e of rec.image?.env ?? []) {
    const i = e.indexOf('=');
    if (i > 0) env.set(e.slice(0, i), e.slice(i + 1));
  }
  env.set('HOSTNAME', rec.hostname);
  for (const { key, value } of rec.config.envs ?? []) env.set(key, value);
  return env;
}

/** The working directory of the container's processes. */
export function workingDir(rec: ContainerRecord): string {
  return rec.config.workingDir || rec.image?.workingDir || '/';
}
