import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

/** A child process of the test and everything it printed. */
export interface Child {
  readonly process: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output; fails if the process exits or the deadline passes. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it exited. */
  stop(): Promise<void>;
}

/** Starts a program with its output captured. */
export function startChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(command, args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const append = (chunk: Buffer): void => {
    out += chunk.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.on('exit', () => {
      resolve();
    });
  });
  return {
    process: child,
    output: () => out,
    async waitFor(pattern, ms = 90_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = pattern.exec(out);
        if (m) return m;
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${command} exited before printing ${String(pattern)}:\n${out}`);
        if (Date.now() > deadline)
          throw new Error(`${command} printed no ${String(pattern)} in time:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** `./tug` of this checkout. */
export const tugPath = `${repo}tug`;

/**
 * A network namespace of the test's own with only loopback up, held open by a sleeping process.
 * What runs in it sees no other test's ports or interfaces — and Chromium sees no interface come
 * and go, which elsewhere aborts its requests with ERR_NETWORK_CHANGED.
 */
export interface PrivateNetwork {
  /** `command args…` to run inside it. */
  argv(command: string, ...args: string[]): [string, ...string[]];
  /** Writes an executable at `path` that runs `target` inside it with the arguments it is given. */
  wrapper(path: string, target: string): string;
  stop(): Promise<void>;
}

/** Creates a {@link PrivateNetwork} (needs root, as the rest of the project's integration tests). */
export async function privateNetwork(env: NodeJS.ProcessEnv): Promise<PrivateNetwork> {
  const holder = startChild(
    'unshare',
    ['--net', '--', 'sh', '-c', 'ip link set lo up && echo up && exec sleep infinity'],
    env,
  );
  await holder.waitFor(/^up$/m, 10_000);
  const ns = `--net=/proc/${String(holder.process.pid)}/ns/net`;
  return {
    argv: (command, ...args) => ['nsenter', ns, '--', command, ...args],
    wrapper(path, target) {
      writeFileSync(path, `#!/bin/sh\nexec nsenter ${ns} -- ${target} "$@"\n`);
      chmodSync(path, 0o755);
      return path;
    },
    stop: () => holder.stop(),
  };
}

/** Runs a command to the end; rejects with its output when it fails. */
export function run(env: NodeJS.ProcessEnv, [command, ...args]: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command ?? '', args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${args.join(' ')} failed: ${stderr}${stdout}`));
      else resolve(stdout);
    });
  });
}
