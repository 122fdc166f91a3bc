/**
 * Kubelet latency benchmark on containerd: a pod created through the API (with `spec.nodeName`
 * preassigned, so no scheduler is in the path) until a watch sees it `Running`, over 50 pods one
 * after another and then 50 at once. The baseline, measured in the same run and interleaved with
 * it: the raw runtime calls for the same pod (RunPodSandbox + CreateContainer + StartContainer on
 * a pod-network sandbox) through ContainerdRuntime, without API, informer, kubelet or status write.
 *
 *   npx tsx bench/kubelet-latency.bench.ts [--pods 50]
 *
 * Needs the project's containerd (`scripts/containerd.sh start`, run here); builds and imports the
 * test images. Every sandbox and container it made is removed at the end, also on failure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { InProcessApiClient, Registry, ResourceRegistry } from '../packages/apiserver/src/index.js';
import { resources, silentLogger, type PodSandboxConfig, type corev1 } from '../packages/core/src/index.js';
import { Kubelet } from '../packages/kubelet/src/index.js';
import { ContainerdRuntime } from '../packages/runtime-containerd/src/index.js';
import { MemoryStore } from '../packages/store-memory/src/index.js';
// The image helpers by file: the testing package's index also loads jest, which tsx cannot.
import { buildImages } from '../packages/testing/src/images/buildImages.js';
import { importIntoContainerd } from '../packages/testing/src/images/importImages.js';
import { formatNumber, markdownTable } from './lib/markdownTable.js';
import { percentile } from './lib/percentile.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const podsArg = process.argv.indexOf('--pods');
const PODS = podsArg > 0 ? Number(process.argv[podsArg + 1]) : 50;
const namespace = 'bench-kubelet-latency';
const nodeName = `bench-latency-${process.pid}`;
const image = 'busybox:1.35';
// Exits at once on SIGTERM (a bare `sleep` as PID 1 would sit out the grace period).
const command = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];
const byNamespace = { labelSelector: { 'io.kubernetes.pod.namespace': namespace } };

const socket = execFileSync('bash', [path.join(root, 'scripts/containerd.sh'), 'start'], {
  encoding: 'utf8',
}).trim();
await importIntoContainerd(await buildImages(), { address: socket });
const runtime = new ContainerdRuntime({ socket, logger: silentLogger });
const dir = await mkdtemp(path.join(os.tmpdir(), 'tug-bench-kubelet-latency-'));
const registry = new Registry(new MemoryStore(), new ResourceRegistry(), silentLogger);
const client = new InProcessApiClient(registry);
const kubelet = new Kubelet({
  nodeName,
  client,
  runtime,
  rootDir: path.join(dir, 'kubelet'),
  logger: silentLogger,
});

/** When a watch first saw each pod Running, by name; and who waits for which. */
const runningAt = new Map<string, number>();
const waiters = new Map<string, () => void>();
const watch = client.watch(resources.Pods, { namespace }).subscribe((e) => {
  if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
  const name = e.object.metadata?.name ?? '';
  if (e.object.status?.phase !== 'Running' || runningAt.has(name)) return;
  runningAt.set(name, performance.now());
  waiters.get(name)?.();
});

function running(name: string): Promise<void> {
  if (runningAt.has(name)) return Promise.resolve();
  return new Promise((resolve) => waiters.set(name, resolve));
}

function pod(name: string): corev1.Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image, command }] },
  };
}

/** Through the API: create → Running seen by the watch, in milliseconds. */
async function viaKubelet(name: string): Promise<number> {
  const t0 = performance.now();
  await client.create(resources.Pods, pod(name));
  await running(name);
  return (runningAt.get(name) ?? Number.NaN) - t0;
}

/** The same pod's runtime work alone, in milliseconds. */
async function raw(name: string): Promise<number> {
  const sandbox: PodSandboxConfig = {
    metadata: { name, namespace, uid: `raw-${name}`, attempt: 0 },
    hostname: name,
    logDirectory: path.join(dir, 'raw', name),
    labels: { 'io.kubernetes.pod.namespace': namespace },
  };
  const t0 = performance.now();
  const id = await runtime.runPodSandbox(sandbox);
  await runtime.podSandboxStatus(id);
  const container = await runtime.createContainer(
    id,
    { metadata: { name: 'main', attempt: 0 }, image, command, logPath: 'main/0.log' },
    sandbox,
  );
  await runtime.startContainer(container);
  return performance.now() - t0;
}

/** Deletes the pods through the API and waits until the kubelet has finished them; then the raw sandboxes. */
async function clear(): Promise<void> {
  const pods = await client.list(resources.Pods, { namespace });
  await Promise.all(
    pods.items.map((p) =>
      client.delete(resources.Pods, p.metadata?.name ?? '', { namespace }).catch(() => undefined),
    ),
  );
  const deadline = Date.now() + 120_000;
  while ((await client.list(resources.Pods, { namespace })).items.length > 0) {
    if (Date.now() > deadline) throw new Error('pods were not deleted within 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const sb of await runtime.listPodSandboxes(byNamespace)) await runtime.removePodSandbox(sb.id);
}

/** Removes everything of this run from containerd, whatever state it is in. */
async function removeAll(): Promise<void> {
  for (const sb of await runtime.listPodSandboxes(byNamespace)) await runtime.removePodSandbox(sb.id);
  for (const c of await runtime.listContainers(byNamespace)) await runtime.removeContainer(c.id);
}

try {
  await client.create(resources.Namespaces, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace },
  });
  await kubelet.start();
  // Warm-up: the first pod-network sandbox sets up the CNI bridge; connections and caches fill.
  await viaKubelet('warm-up');
  await raw('warm-up-raw');
  await clear();

  const kubeletTimes: number[] = [];
  const rawTimes: number[] = [];
  for (let i = 0; i < PODS; i++) {
    // Alternate which goes first so drift and caching favour neither.
    if (i % 2 === 0) {
      kubeletTimes.push(await viaKubelet(`seq-${i}`));
      rawTimes.push(await raw(`raw-seq-${i}`));
    } else {
      rawTimes.push(await raw(`raw-seq-${i}`));
      kubeletTimes.push(await viaKubelet(`seq-${i}`));
    }
  }
  await clear();

  const t0 = performance.now();
  const burstKubelet = await Promise.all(Array.from({ length: PODS }, (_, i) => viaKubelet(`burst-${i}`)));
  const burstKubeletWall = performance.now() - t0;
  await clear();
  const t1 = performance.now();
  const burstRaw = await Promise.all(Array.from({ length: PODS }, (_, i) => raw(`raw-burst-${i}`)));
  const burstRawWall = performance.now() - t1;
  await clear();

  const f = (n: number): string => formatNumber(n, 0);
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
  const row = (what: string, a: number, b: number): string[] => [what, f(a), f(b), ratio(a, b)];
  process.stdout.write(
    `## kubelet latency (containerd ${(await runtime.version()).runtimeVersion})\n\n` +
      `${PODS} pods, each one busybox container on the pod network, created through the in-process API with\n` +
      'spec.nodeName preassigned; the time is from the create call until a watch sees the pod Running. The\n' +
      'baseline makes the same sandbox and container straight on ContainerdRuntime, interleaved with the\n' +
      'kubelet runs. Goal: p99 ≤ 1 s.\n\n',
  );
  const p = percentile;
  process.stdout.write(
    `${markdownTable(
      ['measure (ms)', 'kubelet: API → Running', 'baseline: runtime calls', 'ratio'],
      [
        row('one at a time: p50', p(kubeletTimes, 50), p(rawTimes, 50)),
        row('one at a time: p99', p(kubeletTimes, 99), p(rawTimes, 99)),
        row(`${PODS} at once: p50`, p(burstKubelet, 50), p(burstRaw, 50)),
        row(`${PODS} at once: p99`, p(burstKubelet, 99), p(burstRaw, 99)),
        row(`${PODS} at once: wall time`, burstKubeletWall, burstRawWall),
      ],
    )}\n`,
  );
} finally {
  watch.unsubscribe();
  await kubelet.stop().catch(() => undefined);
  await removeAll().catch((err: unknown) => {
    process.stderr.write(`cleanup failed: ${err instanceof Error ? err.message : String(err)}\n`);
  });
  await runtime.close();
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
