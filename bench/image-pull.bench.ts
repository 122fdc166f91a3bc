/**
 * image-pull benchmark: pulling a ~2 MiB image (busybox) and a ~50 MiB one (busybox plus a 48 MiB
 * random layer) from a registry on loopback through ContainerdRuntime and DockerRuntime, versus
 * `skopeo copy docker://… dir:…` of the same image (the baseline, measured in the same run and
 * interleaved with the pulls). The median of `--runs` pulls; the image is removed between runs.
 * A runtime's pull also unpacks the layers into its snapshotter / graph driver; skopeo only stores
 * the blobs, so the ratio includes that work.
 *
 *   npx tsx bench/image-pull.bench.ts [--runs 5]
 *
 * Needs the project's containerd and Docker Engine (`make daemons`), `docker-registry` and `skopeo`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import {
  ContainerdRuntime,
  defaultRegistryConfigPath,
  writeRegistryHosts,
} from '../packages/runtime-containerd/src/index.js';
import { DockerRuntime } from '../packages/runtime-docker/src/index.js';
// The registry helpers by file: the testing package's index also loads jest, which tsx cannot.
import { buildTestImage } from '../packages/testing/src/registry/buildTestImage.js';
import { startRegistry } from '../packages/testing/src/registry/startRegistry.js';
import { markdownTable } from './lib/markdownTable.js';
import { percentile } from './lib/percentile.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

const containerdSocket = execFileSync('bash', [path.join(root, 'scripts/containerd.sh'), 'start'], {
  encoding: 'utf8',
}).trim();
const dockerSocket = execFileSync('bash', [path.join(root, 'scripts/dockerd.sh'), 'start'], {
  encoding: 'utf8',
}).trim();

const work = await mkdtemp(path.join(os.tmpdir(), 'tug-bench-pull-'));
const registry = await startRegistry();
const containerd = new ContainerdRuntime({ socket: containerdSocket });
const docker = new DockerRuntime({ socketPath: dockerSocket });
await writeRegistryHosts(defaultRegistryConfigPath, registry.host, { server: registry.url });

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** The baseline: the same manifest and blobs fetched by skopeo into a fresh directory. */
async function skopeoCopy(ref: string): Promise<number> {
  const dest = path.join(work, `copy-${process.hrtime.bigint()}`);
  try {
    return await timed(() =>
      run('skopeo', [
        '--insecure-policy',
        'copy',
        '--quiet',
        '--src-tls-verify=false',
        `docker://${ref}`,
        `dir:${dest}`,
      ]),
    );
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

async function pullWith(runtime: ContainerdRuntime | DockerRuntime, ref: string): Promise<number> {
  await runtime.removeImage(ref);
  try {
    return await timed(() => runtime.pullImage(ref));
  } finally {
    await runtime.removeImage(ref);
  }
}

const sizes = [
  { label: 'busybox (~2 MiB)', extraBytes: 0 },
  { label: 'busybox + 48 MiB layer (~50 MiB)', extraBytes: 48 * 1024 * 1024 },
];
const rows: string[][] = [];
try {
  for (const [i, size] of sizes.entries()) {
    const img = await buildTestImage({ dir: work, extraBytes: size.extraBytes });
    const { ref } = await registry.pushImage(img.archive, `tugboat-bench/pull-${process.pid}-${i}:1`);
    // Warm-up: connections, the registry's caches, the daemons' first-pull paths.
    await skopeoCopy(ref);
    await pullWith(containerd, ref);
    await pullWith(docker, ref);
    const times = { skopeo: [] as number[], containerd: [] as number[], docker: [] as number[] };
    for (let r = 0; r < runs; r++) {
      // Rotate the order so that drift and caching favour none of the three.
      const order = [
        async () => times.skopeo.push(await skopeoCopy(ref)),
        async () => times.containerd.push(await pullWith(containerd, ref)),
        async () => times.docker.push(await pullWith(docker, ref)),
      ];
      for (let k = 0; k < order.length; k++) await order[(r + k) % order.length]?.();
    }
    const med = (xs: number[]): number => percentile(xs, 50);
    const base = med(times.skopeo);
    const f = (n: number): string => n.toFixed(0);
    rows.push([
      size.label,
      (img.size / (1024 * 1024)).toFixed(1),
      f(base),
      f(med(times.containerd)),
      `${(med(times.containerd) / base).toFixed(2)}×`,
      f(med(times.docker)),
      `${(med(times.docker) / base).toFixed(2)}×`,
    ]);
  }
  process.stdout.write(
    `## image-pull\n\nPull from a registry on loopback (Debian's docker-registry, plain HTTP), median of ${runs} runs, image removed between runs; containerd ${(await containerd.version()).runtimeVersion}, Docker ${(await docker.version()).runtimeVersion}. The baseline is \`skopeo copy docker://… dir:…\` of the same image; runtime pulls also unpack the layers.\n\n`,
  );
  process.stdout.write(
    `${markdownTable(
      ['image', 'MiB', 'skopeo copy (ms)', 'containerd (ms)', 'ratio', 'Docker (ms)', 'ratio'],
      rows,
    )}\n`,
  );
} finally {
  await containerd.close();
  await docker.close();
  await registry.stop();
  await rm(path.join(defaultRegistryConfigPath, registry.host), { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
}
