import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';

import path from 'node:path';
import { promisify } from 'node:util';

import { EtcdProcess, type EtcdServerTls } from './EtcdProcess.js';
import { buildEtcdImage, dockerHost } from './etcdImage.js';
import { freePorts } from './freePorts.js';
import { tempRoot } from './tempRoot.js';
import { waitForEtcdHealth } from './waitForEtcdHealth.js';

const run = promisify(execFile);

/** How {@link startEtcd} runs etcd: a child process, or a container through testcontainers. */
export type EtcdMode = 'process' | 'container';

/** Options for {@link startEtcd}. */
export interface StartEtcdOptions {
  /** Default `process`. */
  readonly mode?: EtcdMode;
  /** Extra etcd flags (e.g. `--max-request-bytes`). */
  readonly extraArgs?: readonly string[];
  /** Serve clients over TLS (process mode only); the URL is then `etcds://`. */
  readonly tls?: EtcdServerTls;
}

/** A running single-member etcd for tests. */
export interface EtcdHandle {
  readonly mode: EtcdMode;
  /** `127.0.0.1:port`, what the store takes as endpoints. */
  readonly endpoints: string;
  /** `etcd://127.0.0.1:port`. */
  readonly url: string;
  /** Kills etcd (SIGKILL) keeping its data, as a crash. */
  kill(): Promise<void>;
  /** Starts etcd again on the same port and data (after {@link kill}), waiting until it serves. */
  restart(): Promise<void>;
  /** Freezes etcd (SIGSTOP, process mode only): connections stay open but nothing answers. */
  pause(): Promise<void>;
  /** Thaws a paused etcd (SIGCONT). */
  resume(): Promise<void>;
  /** Stops etcd for good and deletes its data (and container). */
  stop(): Promise<void>;
}

/**
 * Starts a fresh single-member etcd on a free loopback port. `process` mode spawns the etcd binary
 * with a temporary data directory; `container` mode runs the locally built `tugboat/etcd` image
 * (built on first use) on the Docker Engine at `$DOCKER_HOST` (default: Tugboat's private engine).
 * Call `stop()` when done.
 */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdHandle> {
  return (options.mode ?? 'process') === 'container' ? startContainer(options) : startProcess(options);
}

async function startProcess(options: StartEtcdOptions): Promise<EtcdHandle> {
  const dir = await mkdtemp(path.join(tempRoot(), 'tug-etcd-'));
  const [clientPort, peerPort, metricsPort] = (await freePorts(3)) as [number, number, number];
  const member = new EtcdProcess({
    name: 'etcd0',
    clientPort,
    peerPort,
    dataDir: path.join(dir, 'data'),
    initialCluster: `etcd0=http://127.0.0.1:${peerPort}`,
    clusterToken: path.basename(dir),
    extraArgs: options.extraArgs ?? [],
    metricsPort,
    ...(options.tls ? { tls: options.tls } : {}),
  });
  try {
    await member.start();
  } catch (err) {
    await member.kill();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    mode: 'process',
    endpoints: member.endpoint,
    url: `${options.tls ? 'etcds' : 'etcd'}://${member.endpoint}`,
    kill: () => member.kill(),
    pause: () => member.pause(),
    resume: () => member.resume(),
    restart: async () => {
      await member.kill();
      await member.start();
    },
    stop: async () => {
      await member.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Containers started here and not yet stopped, removed if the test process exits first (no Ryuk here). */
const liveContainers = new Map<string, string>();
let exitHook = false;

function removeOnExit(id: string, host: string): void {
  liveContainers.set(id, host);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const [cid, h] of liveContainers) {
      try {
        execFileSync('docker', ['-H', h, 'rm', '-f', cid], { stdio: 'ignore' });
      } catch {
        // Best effort while exiting.
      }
    }
  });
}

async function startContainer(options: StartEtcdOptions): Promise<EtcdHandle> {
  if (options.tls) throw new Error('startEtcd: TLS is supported in process mode only');
  const host = dockerHost();
  process.env['DOCKER_HOST'] ??= host;
  // The Ryuk reaper image cannot be pulled here; containers are removed by stop().
  process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  const image = await buildEtcdImage({ host });
  const { GenericContainer, Wait } = await import('testcontainers');
  // A fixed host port keeps the endpoint stable across a container restart.
  const [hostPort] = (await freePorts(1)) as [number];
  const container = await new GenericContainer(image)
    .withCommand([
      '--name',
      'etcd0',
      '--data-dir',
      '/data/etcd',
      '--listen-client-urls',
      'http://0.0.0.0:2379',
      '--advertise-client-urls',
      `http://127.0.0.1:${hostPort}`,
      '--listen-peer-urls',
      'http://127.0.0.1:2380',
      '--initial-advertise-peer-urls',
      'http://127.0.0.1:2380',
      '--initial-cluster',
      'etcd0=http://127.0.0.1:2380',
      '--logger',
      'zap',
      '--log-level',
      'warn',
      ...(options.extraArgs ?? []),
    ])
    .withExposedPorts({ container: 2379, host: hostPort })
    // tmpfs for the same reason as process mode: fsync-heavy tests stay fast.
    .withTmpFs({ '/data': 'rw' })
    .withWaitStrategy(
      Wait.forHttp('/health', 2379).forResponsePredicate((body) => /"health":\s*"true"/.test(body)),
    )
    .withStartupTimeout(60_000)
    .start();
  removeOnExit(container.getId(), host);
  const endpoint = `127.0.0.1:${hostPort}`;
  return {
    mode: 'container',
    endpoints: endpoint,
    url: `etcd://${endpoint}`,
    kill: async () => {
      await run('docker', ['-H', host, 'kill', container.getId()]);
    },
    pause: async () => {
      await run('docker', ['-H', host, 'pause', container.getId()]);
    },
    resume: async () => {
      await run('docker', ['-H', host, 'unpause', container.getId()]);
    },
    restart: async () => {
      await run('docker', ['-H', host, 'kill', container.getId()]).catch(() => undefined);
      await run('docker', ['-H', host, 'start', container.getId()]);
      await waitForEtcdHealth(`http://${endpoint}`, 30_000);
    },
    stop: async () => {
      await container.stop({ remove: true, removeVolumes: true, timeout: 0 });
      liveContainers.delete(container.getId());
    },
  };
}
