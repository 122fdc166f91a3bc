import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { ContainerdRuntime } from '@tugboat/runtime-containerd';
import { buildImages, importIntoContainerd } from '@tugboat/testing';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

/** A `tug up` child process with its combined output. */
export interface TugProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Waits for a line matching `pattern`; fails early when tug exits. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL if it has not exited within `ms`; resolves with the exit code. */
  stop(ms?: number): Promise<number | null>;
}

/** Starts `./tug up` with `args`, logging only warnings. */
export function startTug(args: readonly string[]): TugProcess {
  const child = spawn(join(repo, 'tug'), ['up', ...args], {
    cwd: repo,
    env: { ...process.env, TUG_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (c: Buffer): void => {
    out += c.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      resolve(code);
    });
  });
  return {
    child,
    output: () => out,
    async waitFor(pattern, ms = 120_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = pattern.exec(out);
        if (m) return m;
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`tug exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(ms = 60_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}

/** The label containerd's CRI puts on every sandbox with its pod's namespace. */
export const namespaceLabel = 'io.kubernetes.pod.namespace';

/** Starts the project's containerd (scripts/containerd.sh) with the test images in it; its socket. */
export async function containerdWithTestImages(): Promise<string> {
  const script = join(repo, 'scripts', 'containerd.sh');
  const socket = (await promisify(execFile)(script, ['start'], { timeout: 60_000 })).stdout.trim();
  await importIntoContainerd(await buildImages(), { address: socket });
  return socket;
}

/** Where a containerd suite's `tug up` runs, and the addresses that are its own on this machine. */
export interface ContainerdTugOptions {
  readonly socket: string;
  readonly dataDir: string;
  readonly nodeName: string;
  readonly clusterIpRange: string;
  readonly lbPool: string;
}

/** Starts `tug up` on containerd, with ephemeral API, kubelet and DNS ports. */
export function startContainerdTug(o: ContainerdTugOptions): TugProcess {
  return startTug([
    '--port',
    '0',
    '--data-dir',
    o.dataDir,
    '--runtime',
    'containerd',
    '--containerd-socket',
    o.socket,
    '--kubelet-port',
    '0',
    '--node-name',
    o.nodeName,
    '--dns-port',
    '0',
    '--service-cluster-ip-range',
    o.clusterIpRange,
    '--load-balancer-pool',
    o.lbPool,
  ]);
}

/**
 * A containerd suite's teardown: deletes `namespace` through kubectl (unless `deleteNamespace` is
 * false: the suite did it), stops tug, then removes whatever sandboxes of `namespace` a failed run
 * left in containerd, and runs `alsoRemove` with the same runtime client.
 */
export async function stopContainerdTug(t: {
  readonly socket: string;
  readonly tug: TugProcess | undefined;
  readonly home: string;
  readonly config: string;
  readonly namespace: string;
  readonly deleteNamespace?: boolean;
  readonly alsoRemove?: (runtime: ContainerdRuntime) => Promise<void>;
}): Promise<void> {
  const runtime = new ContainerdRuntime({ socket: t.socket });
  try {
    if (t.tug !== undefined && t.config !== '' && t.deleteNamespace !== false)
      await kubectl(t.home, t.config, ['delete', 'namespace', t.namespace, '--wait=true', '--timeout=60s']);
    await t.tug?.stop();
    if (t.socket === '') return;
    // Never leave a suite's pods in containerd, whatever failed before.
    for (const s of await runtime.listPodSandboxes({ labelSelector: { [namespaceLabel]: t.namespace } })) {
      await runtime.stopPodSandbox(s.id).catch(() => undefined);
      await runtime.removePodSandbox(s.id).catch(() => undefined);
    }
    await t.alsoRemove?.(runtime);
  } finally {
    await runtime.close();
  }
}

/** What a kubectl run printed. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real kubectl against `config`, with its caches under `home`; `input` goes to stdin. */
export function kubectl(
  home: string,
  config: string,
  args: readonly string[],
  input?: string,
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      '/usr/bin/kubectl',
      ['--kubeconfig', config, ...args],
      {
        env: { PATH: process.env['PATH'] ?? '/usr/bin', HOME: home, KUBECACHEDIR: join(home, 'cache') },
        timeout: 120_000,
      },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

/** Like {@link kubectl}, but a non-zero exit is an error carrying stderr. */
export async function kubectlOk(
  home: string,
  config: string,
  args: readonly string[],
  input?: string,
): Promise<string> {
  const r = await kubectl(home, config, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** One HTTP GET on a fresh connection (so a round-robin proxy picks anew); resolves with the body. */
export function httpGet(host: string, port: number, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`GET http://${host}:${port}/ answered ${res.statusCode}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET http://${host}:${port}/ timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls `probe` until it returns a value other than `undefined`, or fails with `what` after `ms`. */
export async function eventually<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${ms} ms${last instanceof Error ? ` (last: ${last.message})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
