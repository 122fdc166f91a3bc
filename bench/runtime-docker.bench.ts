/**
 * runtime-docker benchmark: a sandbox plus one container to running, through DockerRuntime versus
 * the same Engine calls made directly with dockerode, measured in the same run (interleaved, so
 * both see the same machine), then 50 pods started concurrently.
 *
 *   npx tsx bench/runtime-docker.bench.ts [--pods 50]
 *
 * Needs the project's Docker Engine (`scripts/dockerd.sh start`); builds and imports the test images.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { DockerRuntime } from '../packages/runtime-docker/src/index.js';
// The image helpers by file: the testing package's index also loads jest, which tsx cannot.
import { buildImages } from '../packages/testing/src/images/buildImages.js';
import { importIntoDocker } from '../packages/testing/src/images/importIntoDocker.js';

// The contract's types by way of the runtime: bench/ is not a workspace package and cannot import @tugboat/core.
type PodSandboxConfig = Parameters<DockerRuntime['runPodSandbox']>[0];
type ContainerConfig = Parameters<DockerRuntime['createContainer']>[1];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const podsArg = process.argv.indexOf('--pods');
const pods = podsArg > 0 ? Number(process.argv[podsArg + 1]) : 50;
const benchLabel = { 'io.tugboat.bench': 'runtime-docker' };

const socketPath = execFileSync('bash', [path.join(root, 'scripts/dockerd.sh'), 'start'], {
  encoding: 'utf8',
}).trim();
const runtime = new DockerRuntime({ socketPath });
const docker = runtime.docker;
const images = await buildImages();
await importIntoDocker(docker, images);
const logRoot = await mkdtemp(path.join(os.tmpdir(), 'tug-bench-docker-'));

let seq = 0;
function configs(): { sandbox: PodSandboxConfig; container: ContainerConfig } {
  const name = `bench-${process.pid}-${++seq}`;
  return {
    sandbox: {
      metadata: { name, uid: `uid-${name}`, namespace: 'bench', attempt: 0 },
      hostname: name,
      logDirectory: path.join(logRoot, name),
      labels: benchLabel,
    },
    container: {
      metadata: { name: 'app', attempt: 0 },
      image: images.busybox.ref,
      command: ['sleep', '3600'],
      logPath: 'app/0.log',
    },
  };
}

/** Sandbox + container to running through DockerRuntime. */
async function viaRuntime(): Promise<void> {
  const { sandbox, container } = configs();
  const id = await runtime.runPodSandbox(sandbox);
  await runtime.startContainer(await runtime.createContainer(id, container, sandbox));
}

/** The same through dockerode alone: pause container on the bridge, app container in its namespaces. */
async function direct(): Promise<void> {
  const { sandbox } = configs();
  const name = `direct_${sandbox.metadata.name}`;
  const pause = await docker.createContainer({
    name: `${name}_POD`,
    Image: 'tugboat/pause:1.0',
    Hostname: sandbox.hostname,
    Labels: { ...benchLabel },
    HostConfig: { NetworkMode: 'bridge', IpcMode: 'shareable' },
  });
  await pause.start();
  const app = await docker.createContainer({
    name: `${name}_app`,
    Image: 'busybox:1.35',
    Entrypoint: ['sleep', '3600'],
    Labels: { ...benchLabel },
    HostConfig: {
      NetworkMode: `container:${pause.id}`,
      IpcMode: `container:${pause.id}`,
      PidMode: `container:${pause.id}`,
    },
  });
  await app.start();
}

/** Waits for every start to settle (so cleanup sees them all), then fails with the first error. */
async function all(runs: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(runs)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function cleanup(): Promise<void> {
  // Runtime-made pods go through the runtime (it removes members first); direct ones by label.
  const sandboxes = await runtime.listPodSandboxes({ labelSelector: benchLabel });
  await Promise.all(sandboxes.map((s) => runtime.removePodSandbox(s.id)));
  const all = await docker.listContainers({
    all: true,
    filters: { label: ['io.tugboat.bench=runtime-docker'] },
  });
  // Apps first: their pause container owns the namespaces they joined.
  const apps = all.filter((c) => !c.Names.some((n) => n.endsWith('_POD')));
  await Promise.all(apps.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  const rest = all.filter((c) => !apps.includes(c));
  await Promise.all(rest.map((c) => docker.getContainer(c.Id).remove({ force: true })));
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const rows: string[] = [];
try {
  await cleanup();
  await timed(viaRuntime); // warm-up: first bridge sandbox, log directories, event stream
  await timed(direct);
  await cleanup();

  const viaTimes: number[] = [];
  const directTimes: number[] = [];
  for (let i = 0; i < pods; i++) {
    // Alternate which goes first so drift and caching favour neither.
    if (i % 2 === 0) {
      viaTimes.push(await timed(viaRuntime));
      directTimes.push(await timed(direct));
    } else {
      directTimes.push(await timed(direct));
      viaTimes.push(await timed(viaRuntime));
    }
  }
  await cleanup();

  const concurrentVia = await timed(() => all(Array.from({ length: pods }, viaRuntime)));
  await cleanup();
  const concurrentDirect = await timed(() => all(Array.from({ length: pods }, direct)));
  await cleanup();

  const f = (n: number): string => n.toFixed(1);
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
  rows.push(
    `| measure (${pods} pods, sandbox on the bridge + 1 container) | DockerRuntime | dockerode direct | ratio (goal ≤ 1.25×) |`,
    '|---|---|---|---|',
    `| sequential p50 (ms) | ${f(pct(viaTimes, 50))} | ${f(pct(directTimes, 50))} | ${ratio(pct(viaTimes, 50), pct(directTimes, 50))} |`,
    `| sequential p99 (ms) | ${f(pct(viaTimes, 99))} | ${f(pct(directTimes, 99))} | ${ratio(pct(viaTimes, 99), pct(directTimes, 99))} |`,
    `| ${pods} concurrent: wall time (ms) | ${f(concurrentVia)} | ${f(concurrentDirect)} | ${ratio(concurrentVia, concurrentDirect)} |`,
    `| ${pods} concurrent: pods/s | ${f((pods * 1000) / concurrentVia)} | ${f((pods * 1000) / concurrentDirect)} | |`,
  );
  process.stdout.write(`${rows.join('\n')}\n`);
} finally {
  await cleanup().catch(() => undefined);
  await runtime.close();
  await rm(logRoot, { recursive: true, force: true });
}
