/**
 * runtime-containerd benchmark: a sandbox plus one container to running, through ContainerdRuntime
 * versus the same CRI calls made with a bare gRPC client on the same proto, measured in the same run
 * (interleaved, so both see the same machine), then pods started concurrently.
 *
 *   npx tsx bench/runtime-containerd.bench.ts [--pods 50] [--pod-network]
 *
 * Needs the project's containerd (`scripts/containerd.sh start`, run here); builds and imports the
 * test images. Sandboxes are host-network unless `--pod-network` (then each gets a CNI bridge IP).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { ContainerConfig, PodSandboxConfig } from '../packages/core/src/index.js';

import { ContainerdRuntime } from '../packages/runtime-containerd/src/index.js';
import { bareRuntimeService } from '../packages/runtime-containerd/src/internal/bareRuntimeService.js';
import {
  toWireContainerConfig,
  toWireSandboxConfig,
} from '../packages/runtime-containerd/src/internal/convert.js';
// The image helpers by file: the testing package's index also loads jest, which tsx cannot.
import { buildImages } from '../packages/testing/src/images/buildImages.js';
import { importIntoContainerd } from '../packages/testing/src/images/importImages.js';
import { markdownTable } from './lib/markdownTable.js';
import { percentile } from './lib/percentile.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const podsArg = process.argv.indexOf('--pods');
const pods = podsArg > 0 ? Number(process.argv[podsArg + 1]) : 50;
const hostNetwork = !process.argv.includes('--pod-network');
const benchLabel = { 'io.tugboat.bench': 'runtime-containerd' };

const socket = execFileSync('bash', [path.join(root, 'scripts/containerd.sh'), 'start'], {
  encoding: 'utf8',
}).trim();
const images = await buildImages();
await importIntoContainerd(images, { address: socket });
const runtime = new ContainerdRuntime({ socket });
const logRoot = await mkdtemp(path.join(os.tmpdir(), 'tug-bench-containerd-'));

// The baseline: grpc-js stubs on the same proto, called with nothing around them.
const bare = bareRuntimeService(socket);
const bareCall = bare.call;

let seq = 0;
function configs(): { sandbox: PodSandboxConfig; container: ContainerConfig } {
  const name = `bench-${process.pid}-${++seq}`;
  return {
    sandbox: {
      metadata: { name, uid: `uid-${name}`, namespace: 'bench', attempt: 0 },
      hostname: name,
      hostNetwork,
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

/** Sandbox + container to running through ContainerdRuntime. */
async function viaRuntime(): Promise<void> {
  const { sandbox, container } = configs();
  const id = await runtime.runPodSandbox(sandbox);
  await runtime.startContainer(await runtime.createContainer(id, container, sandbox));
}

/** The same three CRI calls on the bare client, with the same messages. */
async function direct(): Promise<void> {
  const { sandbox, container } = configs();
  // The runtime creates the log directory; so does the baseline, outside the timed calls' share.
  execFileSync('mkdir', ['-p', sandbox.logDirectory]);
  const wireSandbox = toWireSandboxConfig(sandbox);
  const { podSandboxId } = await bareCall<{ podSandboxId: string }>('RunPodSandbox', { config: wireSandbox });
  const { containerId } = await bareCall<{ containerId: string }>('CreateContainer', {
    podSandboxId,
    config: toWireContainerConfig(container, sandbox),
    sandboxConfig: wireSandbox,
  });
  await bareCall('StartContainer', { containerId });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Starts `pods` pods at once; waits for every one to settle (so none is still in flight at cleanup). */
async function concurrently(start: () => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(Array.from({ length: pods }, start));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function cleanup(): Promise<void> {
  const sandboxes = await runtime.listPodSandboxes({ labelSelector: benchLabel });
  for (const s of sandboxes) await runtime.removePodSandbox(s.id);
}

try {
  await cleanup();
  await timed(viaRuntime); // warm-up: first sandbox, image cache, connections
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

  const concurrentVia = await timed(() => concurrently(viaRuntime));
  await cleanup();
  const concurrentDirect = await timed(() => concurrently(direct));
  await cleanup();

  const f = (n: number): string => n.toFixed(1);
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
  const p = (xs: number[], q: number): number => percentile(xs, q);
  const network = hostNetwork ? 'host network' : 'pod network (CNI bridge)';
  process.stdout.write(
    `## runtime-containerd\n\n${pods} pods, each a sandbox (${network}) + 1 container to running; containerd ${(await runtime.version()).runtimeVersion}.\n\n`,
  );
  process.stdout.write(
    `${markdownTable(
      ['measure', 'ContainerdRuntime', 'bare gRPC CRI', 'ratio (goal ≤ 1.25×)'],
      [
        [
          'sequential p50 (ms)',
          f(p(viaTimes, 50)),
          f(p(directTimes, 50)),
          ratio(p(viaTimes, 50), p(directTimes, 50)),
        ],
        [
          'sequential p99 (ms)',
          f(p(viaTimes, 99)),
          f(p(directTimes, 99)),
          ratio(p(viaTimes, 99), p(directTimes, 99)),
        ],
        [
          `${pods} concurrent: wall time (ms)`,
          f(concurrentVia),
          f(concurrentDirect),
          ratio(concurrentVia, concurrentDirect),
        ],
        [
          `${pods} concurrent: pods/s`,
          f((pods * 1000) / concurrentVia),
          f((pods * 1000) / concurrentDirect),
          '',
        ],
      ],
    )}\n`,
  );
} finally {
  await cleanup().catch(() => undefined);
  await runtime.close();
  bare.close();
  await rm(logRoot, { recursive: true, force: true });
}
