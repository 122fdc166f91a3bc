/**
 * Kubelet density benchmark: 100 simulated nodes (a Kubelet on a FakeRuntime each, no server) in
 * one process against one in-process apiserver; 10k pods created through the API with
 * `spec.nodeName` preassigned. Measures the time until a watch has seen every pod Running and the
 * process CPU per pod, beside a baseline in the same run: the same sandboxes and containers made
 * straight on FakeRuntimes, without API, informers or status writes.
 *
 * Run: `npx tsx bench/kubelet-density.bench.ts` (env BENCH_SCALE=0.1 for a quick run).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { InProcessApiClient, Registry, ResourceRegistry } from '../packages/apiserver/src/index.js';
import { resources, silentLogger, type corev1 } from '../packages/core/src/index.js';
import { Kubelet } from '../packages/kubelet/src/index.js';
import { FakeRuntime } from '../packages/runtime-fake/src/index.js';
import { MemoryStore } from '../packages/store-memory/src/index.js';

import { formatNumber, markdownTable } from './lib/markdownTable.js';

const scale = Number(process.env['BENCH_SCALE'] ?? '1');
const NODES = Math.max(2, Math.round(100 * scale));
const PODS = Math.max(20, Math.round(10_000 * scale));
const CREATE_CONCURRENCY = 32;
const images = ['busybox:1.36', 'registry.k8s.io/pause:3.9'];

function pod(i: number): corev1.Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'default', labels: { app: 'density' } },
    spec: {
      nodeName: `node-${i % NODES}`,
      containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }],
    },
  };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/** Baseline: the runtime work alone (sandbox + create + start per pod), spread over the same nodes. */
async function baseline(): Promise<{ ms: number; cpu: number }> {
  const runtimes = Array.from({ length: NODES }, () => new FakeRuntime({ images }));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next < PODS) {
        const i = next++;
        const rt = runtimes[i % NODES] as FakeRuntime;
        const sandboxConfig = {
          metadata: { name: `pod-${i}`, namespace: 'default', uid: `uid-${i}`, attempt: 0 },
          logDirectory: join(tmpdir(), 'tug-density-baseline', `pod-${i}`),
        };
        const sb = await rt.runPodSandbox(sandboxConfig);
        await rt.imageStatus('busybox:1.36');
        const id = await rt.createContainer(
          sb,
          {
            metadata: { name: 'main', attempt: 0 },
            image: 'busybox:1.36',
            command: ['sleep', '3600'],
            logPath: 'main/0.log',
          },
          sandboxConfig,
        );
        await rt.startContainer(id);
        await rt.containerStatus(id);
      }
    }),
  );
  const result = { ms: performance.now() - t0, cpu: cpuMs(cpu0) };
  for (const rt of runtimes) for (const id of rt.node.sandboxes.keys()) await rt.node.removeSandbox(id);
  await rm(join(tmpdir(), 'tug-density-baseline'), { recursive: true, force: true });
  return result;
}

async function density(): Promise<{ ms: number; cpu: number; heapMb: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'tug-bench-density-'));
  const registry = new Registry(new MemoryStore(), new ResourceRegistry(), silentLogger);
  const client = new InProcessApiClient(registry);
  const runtimes = Array.from({ length: NODES }, () => new FakeRuntime({ images }));
  const kubelets = runtimes.map(
    (runtime, n) =>
      new Kubelet({
        nodeName: `node-${n}`,
        client,
        runtime,
        rootDir: join(dir, `node-${n}`),
        address: `10.0.${n >> 8}.${n & 255 || 1}`,
        capacity: { cpu: '64', memory: '256Gi', pods: '200' },
      }),
  );
  await Promise.all(kubelets.map((k) => k.start()));

  const running = new Set<string>();
  let resolveAll: () => void = () => {};
  const allRunning = new Promise<void>((r) => (resolveAll = r));
  const sub = client.watch(resources.Pods, { namespace: 'default' }).subscribe((e) => {
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
    if (e.object.status?.phase === 'Running') running.add(e.object.metadata?.name ?? '');
    if (running.size === PODS) resolveAll();
  });

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next < PODS) await client.create(resources.Pods, pod(next++));
    }),
  );
  await allRunning;
  const result = {
    ms: performance.now() - t0,
    cpu: cpuMs(cpu0),
    heapMb: process.memoryUsage().heapUsed / 1024 / 1024,
  };
  sub.unsubscribe();
  await Promise.all(kubelets.map((k) => k.stop()));
  for (const rt of runtimes) for (const id of rt.node.sandboxes.keys()) await rt.node.removeSandbox(id);
  await rm(dir, { recursive: true, force: true });
  return result;
}

const base = await baseline();
const ours = await density();
console.log('## kubelet density (runtime-fake, in-process apiserver)\n');
console.log(
  `${formatNumber(NODES)} Kubelets on FakeRuntimes in one process, ${formatNumber(PODS)} pods created through the API with\n` +
    'spec.nodeName preassigned; "all Running" is when a watch has seen every pod Running. The baseline makes the\n' +
    'same sandboxes and containers straight on the FakeRuntimes (no API, informers, status writes).\n',
);
console.log(
  markdownTable(
    ['run', 'time to all Running (s)', 'pods/s', 'CPU ms per pod', 'heap (MB)'],
    [
      [
        `kubelets: ${formatNumber(NODES)} nodes, ${formatNumber(PODS)} pods`,
        formatNumber(ours.ms / 1000, 2),
        formatNumber((PODS / ours.ms) * 1000),
        formatNumber(ours.cpu / PODS, 2),
        formatNumber(ours.heapMb),
      ],
      [
        'baseline: runtime calls only',
        formatNumber(base.ms / 1000, 2),
        formatNumber((PODS / base.ms) * 1000),
        formatNumber(base.cpu / PODS, 2),
        '',
      ],
    ],
  ),
);
process.exit(0);
