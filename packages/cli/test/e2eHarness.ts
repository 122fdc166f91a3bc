import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { createLogger, silentLogger, type LogLevel, type Runtime, type corev1 } from '@tugboat/core';
import { buildImages, importIntoContainerd, importIntoDocker } from '@tugboat/testing';
import Docker from 'dockerode';

import { startCluster, type Cluster } from '../src/startCluster.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../..', import.meta.url));

/** The real runtimes the end-to-end suite runs on. */
export type RealRuntime = 'containerd' | 'docker';

/** What kubectl answered. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A long-running kubectl (`logs -f`, `exec -i`): its output so far, and a way to stop it. */
export interface KubectlStream {
  readonly output: () => string;
  readonly child: ChildProcess;
  stop(): void;
}

/** A single-node cluster on a real runtime, its kubectl, and teardown that leaves nothing running. */
export interface E2eCluster {
  readonly cluster: Cluster;
  /** The kubelet's own runtime client (to look at what runs). */
  readonly runtime: Runtime;
  /** The namespace every pod of the suite lives in (sandboxes are found by it at teardown). */
  readonly namespace: string;
  kubectl(...args: string[]): Promise<KubectlResult>;
  kubectlStream(...args: string[]): KubectlStream;
  /** Writes `manifest` to a file and runs `kubectl apply -f` on it. */
  apply(manifest: object): Promise<KubectlResult>;
  /** `kubectl get pod NAME -o json`, parsed. */
  getPod(name: string): Promise<corev1.Pod>;
  /** A pod's status and the namespace's events, to explain a wait that timed out. */
  explainPod(name: string): Promise<string>;
  /** Stops the kubelet, removes every sandbox and container of the namespace, stops the cluster. */
  stop(): Promise<void>;
}

/**
 * Starts the project's daemon for `kind` through its script (idempotent: a running one is reused)
 * and imports the locally built busybox and pause images into it. Resolves with the socket.
 */
export async function realRuntimeSocket(kind: RealRuntime): Promise<string> {
  const images = await buildImages();
  if (kind === 'containerd') {
    const { stdout } = await run(join(repo, 'scripts/containerd.sh'), ['start'], { timeout: 60_000 });
    const socket = stdout.trim();
    await importIntoContainerd(images, { address: socket });
    return socket;
  }
  // The same lock as the runtime-docker tests: jest workers must not start two engines.
  const lock = join(tmpdir(), 'tugboat-dockerd.lock');
  const { stdout } = await run('flock', ['-o', lock, 'bash', join(repo, 'scripts/dockerd.sh'), 'start'], {
    timeout: 60_000,
  });
  const socket = stdout.trim().split('\n').pop() ?? '';
  await importIntoDocker(new Docker({ socketPath: socket }), images);
  return socket;
}

/**
 * Polls `probe` until it yields a value other than `undefined`; fails after `ms` naming `what`,
 * with what `explain` says about the state of things then.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 60_000,
  explain?: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: string | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err instanceof Error ? err.message : JSON.stringify(err);
    }
    if (Date.now() > deadline) {
      const state = explain ? `\n${await explain().catch((err: unknown) => String(err))}` : '';
      throw new Error(
        `${what}: not within ${ms} ms${last !== undefined ? ` (last error: ${last})` : ''}${state}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** GET a URL over plain HTTP; resolves with the status and body. */
export function httpGet(url: string, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

const podUidLabel = 'io.kubernetes.pod.uid';
const podNamespaceLabel = 'io.kubernetes.pod.namespace';

/** The sandboxes and containers the runtime still holds for a pod (by the kubelet's uid label). */
export async function runtimeObjectsOf(runtime: Runtime, uid: string): Promise<number> {
  const labelSelector = { [podUidLabel]: uid };
  const [sandboxes, containers] = await Promise.all([
    runtime.listPodSandboxes({ labelSelector }),
    runtime.listContainers({ labelSelector }),
  ]);
  return sandboxes.length + containers.length;
}

/**
 * Starts a cluster in this process on `kind` (daemon started and images imported first), with a
 * node name, data directory and namespace of its own, so runs never collide.
 */
export async function startE2eCluster(kind: RealRuntime): Promise<E2eCluster> {
  const socket = await realRuntimeSocket(kind);
  const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const dataDir = mkdtempSync(join(tmpdir(), `tug-e2e-${kind}-`));
  const home = mkdtempSync(join(tmpdir(), `tug-e2e-home-`));
  const namespace = `e2e-${suffix}`;
  const cluster = await startCluster({
    runtime: kind,
    ...(kind === 'containerd' ? { containerdSocket: socket } : { dockerSocket: socket }),
    port: 0,
    kubeletPort: 0,
    dataDir,
    nodeName: `e2e-${kind}-${suffix}`,
    // TUG_E2E_LOG=debug|info|warn shows the cluster's log when a case needs explaining.
    logger: process.env['TUG_E2E_LOG']
      ? createLogger({ level: process.env['TUG_E2E_LOG'] as LogLevel, name: `e2e-${kind}` })
      : silentLogger,
  }).catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    throw err;
  });
  const runtime = cluster.kubelet.options.runtime;
  const env = { PATH: process.env['PATH'] ?? '/usr/bin', HOME: home, KUBECACHEDIR: join(home, 'cache') };
  const base = ['--kubeconfig', cluster.kubeconfigPath, '--namespace', namespace];
  const kubectl = (...args: string[]): Promise<KubectlResult> =>
    new Promise((resolve) => {
      execFile('/usr/bin/kubectl', [...base, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      });
    });
  const streams: KubectlStream[] = [];
  const kubectlStream = (...args: string[]): KubectlStream => {
    // stdin is a pipe, for `exec -i` and `attach -i`; `logs -f` never reads it.
    const child = spawn('/usr/bin/kubectl', [...base, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const stream = {
      output: () => out,
      child,
      stop: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
    streams.push(stream);
    return stream;
  };
  const stop = async (): Promise<void> => {
    for (const s of streams.splice(0)) s.stop();
    // The kubelet first, so that nothing recreates what is removed next.
    await cluster.kubelet.stop().catch(() => undefined);
    const labelSelector = { [podNamespaceLabel]: namespace };
    for (const sb of await runtime.listPodSandboxes({ labelSelector }).catch(() => []))
      await runtime.removePodSandbox(sb.id).catch(() => undefined);
    for (const c of await runtime.listContainers({ labelSelector }).catch(() => []))
      await runtime.removeContainer(c.id).catch(() => undefined);
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const created = await kubectl('create', 'namespace', namespace);
    if (created.code !== 0) throw new Error(`kubectl create namespace failed: ${created.stderr}`);
  } catch (err) {
    await stop();
    throw err;
  }
  const getPod = async (name: string): Promise<corev1.Pod> => {
    const got = await kubectl('get', 'pod', name, '-o', 'json');
    if (got.code !== 0) throw new Error(`kubectl get pod ${name}: ${got.stderr}`);
    return JSON.parse(got.stdout) as corev1.Pod;
  };
  let manifests = 0;
  const apply = (manifest: object): Promise<KubectlResult> => {
    const file = join(home, `manifest-${++manifests}.json`);
    writeFileSync(file, JSON.stringify(manifest));
    return kubectl('apply', '-f', file);
  };
  const explainPod = async (name: string): Promise<string> => {
    const status = await kubectl('get', 'pod', name, '-o', 'jsonpath={.status}');
    const events = await kubectl('get', 'events', '--sort-by=.lastTimestamp');
    return `pod ${name} status: ${status.stdout || status.stderr}\nevents:\n${events.stdout || events.stderr}`;
  };
  return { cluster, runtime, namespace, kubectl, kubectlStream, apply, getPod, explainPod, stop };
}
