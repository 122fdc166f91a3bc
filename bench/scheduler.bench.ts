/**
 * scheduler-default benchmark, shaped like upstream scheduler_perf SchedulingBasic: nodes of
 * 4 CPU / 32Gi / 110 pods, 1000 pods already placed, then pods of 100m/500Mi created and
 * scheduled in-process through the real registry, store-memory and shared informers (no HTTP).
 * Prints pods/s (scheduler start → last binding seen by an informer), p99 per-pod scheduling
 * attempt latency (pop → binding done, upstream's scheduling_attempt_duration) and heap used; beside it, the upstream figures and a baseline measured
 * in the same run: the same pods created and bound round-robin with no scheduling at all (the cost
 * of the API path alone, an upper bound for any scheduler on this registry).
 *
 * Run: `npx tsx bench/scheduler.bench.ts` (env BENCH_SCALE=0.1 for a quick run).
 */
import { apiserverModule } from '../packages/apiserver/src/index.js';
import {
  ApiClient,
  Logger,
  SharedInformerFactory,
  controllerRuntimeModule,
  resources,
  silentLogger,
  type corev1,
} from '../packages/core/src/index.js';
import { Scheduler, schedulerModule } from '../packages/scheduler-default/src/index.js';
import { memoryStoreModule } from '../packages/store-memory/src/index.js';
import { Container } from 'inversify';

import { formatNumber, markdownTable } from './lib/markdownTable.js';
import { percentile } from './lib/percentile.js';
import { profileWindow } from './lib/cpuProfile.js';
import { now } from './lib/timer.js';

const scale = Number(process.env['BENCH_SCALE'] ?? '1');
const n = (count: number): number => Math.max(10, Math.round(count * scale));
const CREATE_CONCURRENCY = 64;

interface Workload {
  readonly name: string;
  readonly nodes: number;
  readonly placed: number;
  readonly pods: number;
  /** Extra pod spec/labels for the measured pods. */
  readonly shape?: (i: number) => { labels?: Record<string, string>; spec?: Partial<corev1.PodSpec> };
  /** Upstream's figure for the same workload, as text. */
  readonly upstream: string;
}

const zones = ['zone-a', 'zone-b', 'zone-c'];

function nodeObject(i: number): corev1.Node {
  return {
    metadata: {
      name: `node-${i}`,
      labels: {
        'kubernetes.io/hostname': `node-${i}`,
        'topology.kubernetes.io/zone': zones[i % zones.length] ?? '',
      },
    },
    status: {
      allocatable: { cpu: '4', memory: '32Gi', pods: '110' },
      capacity: { cpu: '4', memory: '32Gi', pods: '110' },
    },
  };
}

function podObject(
  name: string,
  extra: ReturnType<NonNullable<Workload['shape']>> = {},
  nodeName?: string,
): corev1.Pod {
  return {
    metadata: { name, namespace: 'default', ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: {
      containers: [
        {
          name: 'pause',
          image: 'registry.k8s.io/pause:3.9',
          resources: { requests: { cpu: '100m', memory: '500Mi' } },
        },
      ],
      ...(nodeName ? { nodeName } : {}),
      ...(extra.spec ?? {}),
    },
  };
}

async function inBatches(count: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next < count) await op(next++);
    }),
  );
}

interface Result {
  podsPerSec: number;
  /** Pods per second of this process's CPU time: what the wall figure is when the process has a core to itself. */
  podsPerCpuSec: number;
  p99Ms: number;
  heapMb: number;
}

/**
 * One run: a fresh cluster with the nodes, the placed pods and the pending pods created first
 * (upstream's apiserver is another process; here one thread does everything, so creation is kept
 * out of the measurement), then the scheduler (or the baseline binder) is started and timed until
 * an informer has seen every pending pod bound.
 */
async function run(w: Workload, schedule: boolean): Promise<Result> {
  const attempts: number[] = [];
  const container = new Container();
  container.bind(Logger).toConstantValue(silentLogger);
  container.load(
    memoryStoreModule(),
    apiserverModule(),
    controllerRuntimeModule(),
    schedulerModule({ onAttempt: (a) => attempts.push(a.durationMs) }),
  );
  const api = container.get(ApiClient);
  await inBatches(w.nodes, (i) => api.create(resources.Nodes, nodeObject(i)));
  await inBatches(w.placed, (i) =>
    api.create(resources.Pods, podObject(`placed-${i}`, {}, `node-${i % w.nodes}`)),
  );
  await inBatches(w.pods, (i) => api.create(resources.Pods, podObject(`pod-${i}`, w.shape?.(i))));
  const informer = container.get(SharedInformerFactory).informerFor(resources.Pods);
  let bound = 0;
  let last = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const sub = informer.events.subscribe((e) => {
    if (e.type !== 'updated' || e.old.spec?.nodeName || !e.object.spec?.nodeName) return;
    last = now();
    if (++bound === w.pods) done();
  });
  const profile = await profileWindow(
    `${w.name.split(/[ ,:]/)[0] ?? 'run'}-${schedule ? 'scheduler' : 'baseline'}`,
  );
  const start = now();
  const cpu0 = process.cpuUsage();
  if (schedule) await container.get(Scheduler).start();
  else {
    await informer.start();
    await inBatches(w.pods, (i) =>
      api.createSubresource(
        resources.Pods,
        `pod-${i}`,
        'binding',
        {
          metadata: { name: `pod-${i}`, namespace: 'default' },
          target: { kind: 'Node', name: `node-${i % w.nodes}` },
        },
        { namespace: 'default' },
      ),
    );
  }
  await finished;
  const cpu = process.cpuUsage(cpu0);
  await profile.stop();
  const heapMb = process.memoryUsage().heapUsed / 1048576;
  sub.unsubscribe();
  await container.unbindAllAsync();
  return {
    podsPerSec: (w.pods / (last - start)) * 1000,
    podsPerCpuSec: w.pods / ((cpu.user + cpu.system) / 1e6),
    p99Ms: percentile(attempts, 99),
    heapMb,
  };
}

const workloads: Workload[] = [
  {
    name: 'SchedulingBasic',
    nodes: n(5000),
    placed: n(1000),
    pods: n(10_000),
    upstream: '≥ 270 CI minimum, ~650 observed',
  },
  { name: 'SchedulingBasic, 15k nodes', nodes: n(15_000), placed: n(1000), pods: n(1000), upstream: '—' },
  {
    name: 'Spread + anti-affinity',
    nodes: n(1000),
    placed: n(1000),
    pods: n(2000),
    upstream: '—',
    shape: (i) => {
      const app = `app-${i % 20}`;
      return {
        labels: { app },
        spec: {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: { matchLabels: { app } },
            },
          ],
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app } } },
              ],
            },
          },
        },
      };
    },
  },
];

// `BENCH_ONLY=SchedulingBasic` runs only the workloads whose name starts with it (for profiling).
const only = process.env['BENCH_ONLY'];
const rows: string[][] = [];
for (const w of workloads.filter((x) => only === undefined || x.name.startsWith(only))) {
  const ours = await run(w, true);
  // `BENCH_BASELINE=0` skips the baseline (profiling the scheduler alone).
  const base =
    process.env['BENCH_BASELINE'] === '0'
      ? { podsPerSec: 0, podsPerCpuSec: 0, p99Ms: 0, heapMb: 0 }
      : await run(w, false);
  rows.push([
    `${w.name}: ${formatNumber(w.nodes)} nodes, ${formatNumber(w.placed)} placed, ${formatNumber(w.pods)} scheduled`,
    formatNumber(ours.podsPerSec),
    formatNumber(ours.podsPerCpuSec),
    formatNumber(ours.p99Ms, 1),
    formatNumber(ours.heapMb),
    `${formatNumber(base.podsPerSec)} (${formatNumber(base.podsPerCpuSec)} per CPU-s)`,
    w.upstream,
  ]);
}
console.log('## scheduler-default (in-process, real registry + informers)\n');
console.log(
  'Wall-clock pods/s depends on how much of a core the process gets on a shared machine; pods per CPU-second\n' +
    "(the process's own CPU time over the measured window) is what it reaches with a core to itself.\n",
);
console.log(
  markdownTable(
    [
      'workload',
      'pods/s',
      'pods per CPU-second',
      'p99 attempt latency (ms)',
      'heap (MB)',
      'baseline: bind round-robin (pods/s)',
      'upstream pods/s',
    ],
    rows,
  ),
);
