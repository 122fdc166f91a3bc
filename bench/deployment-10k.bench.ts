/**
 * Deployment benchmark (issue 8): one Deployment of 10k replicas on 100 simulated nodes — a Kubelet
 * on a FakeRuntime each, without servers — with the real scheduler, ReplicaSet and Deployment
 * controllers, one in-process apiserver and store-memory, all in this one process. Measures the
 * seconds from creating the Deployment until a watch has seen every replica Running (goal < 20 s;
 * KWOK's CI bound, without a scheduler, is 60 s), then the seconds a rolling update of all of them
 * takes (image changed → the Deployment reports every replica updated and available), and the
 * peak heap. Beside it, a baseline in the same run: the same number of pods created straight
 * through the API (no controllers), scheduled and run by the same scheduler and kubelets.
 *
 * Run: `npx tsx bench/deployment-10k.bench.ts` (env BENCH_SCALE=0.1: 1000 replicas on 10 nodes).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { apiserverModule } from '../packages/apiserver/src/index.js';
import { controllersModule } from '../packages/controllers/src/index.js';
import {
  ApiClient,
  ControllerManager,
  Logger,
  SharedInformerFactory,
  controllerRuntimeModule,
  resources,
  silentLogger,
  type appsv1,
  type corev1,
} from '../packages/core/src/index.js';
import { Kubelet } from '../packages/kubelet/src/index.js';
import { FakeRuntime } from '../packages/runtime-fake/src/index.js';
import { Scheduler, schedulerModule } from '../packages/scheduler-default/src/index.js';
import { memoryStoreModule } from '../packages/store-memory/src/index.js';
import { Container } from 'inversify';

import { profileWindow } from './lib/cpuProfile.js';
import { formatNumber, markdownTable } from './lib/markdownTable.js';

const scale = Number(process.env['BENCH_SCALE'] ?? '1');
const NODES = Math.max(2, Math.round(100 * scale));
const REPLICAS = Math.max(20, Math.round(10_000 * scale));
const CREATE_CONCURRENCY = 32;
/** A run that has not finished by then is reported as not finished rather than hanging `make bench`. */
const DEADLINE_MS = Number(process.env['BENCH_DEADLINE_S'] ?? '900') * 1000;
const images = ['busybox:1.36', 'busybox:1.37'];
const ns = 'default';

function template(image: string): corev1.PodTemplateSpec {
  return {
    metadata: { labels: { app: 'bench' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image, command: ['sleep', '3600'] }],
    },
  };
}

/** A cluster in one container: store, apiserver, scheduler, (optionally) controllers and the kubelets. */
async function startCluster(withControllers: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'tug-bench-deploy-'));
  const container = new Container();
  container.bind(Logger).toConstantValue(silentLogger);
  container.load(memoryStoreModule(), apiserverModule(), controllerRuntimeModule(), schedulerModule());
  if (withControllers) container.load(controllersModule({ controllers: ['replicaset', 'deployment'] }));
  const api = container.get(ApiClient);
  const runtimes = Array.from({ length: NODES }, () => new FakeRuntime({ images }));
  const kubelets = runtimes.map(
    (runtime, n) =>
      new Kubelet({
        nodeName: `node-${n}`,
        client: api,
        runtime,
        rootDir: join(dir, `node-${n}`),
        address: `10.0.${n >> 8}.${n & 255 || 1}`,
        // As a cluster with DNS: without it every pod would also get a MissingClusterDNS event.
        clusterDns: ['10.96.0.10'],
        // Room for the surge and for pods still terminating, so capacity never paces the rollout.
        capacity: { cpu: '640', memory: '2560Gi', pods: String(Math.ceil((REPLICAS * 3) / NODES) + 10) },
      }),
  );
  await Promise.all(kubelets.map((k) => k.start()));
  await container.get(Scheduler).start();
  if (withControllers) await container.get(ControllerManager).start();
  return {
    api,
    informers: container.get(SharedInformerFactory),
    async stop(): Promise<void> {
      await Promise.all(kubelets.map((k) => k.stop()));
      for (const rt of runtimes) for (const id of rt.node.sandboxes.keys()) await rt.node.removeSandbox(id);
      await container.get(SharedInformerFactory).stop();
      await container.unbindAllAsync();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Samples the heap every 100 ms; `peak()` is the largest seen (MB). */
function heapSampler(): { peak(): number; stop(): void } {
  let peak = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 100);
  return {
    peak: () => Math.max(peak, process.memoryUsage().heapUsed) / 1048576,
    stop: () => {
      clearInterval(timer);
    },
  };
}

/** Resolves true once `done` holds for an event of the subscription, or false at the deadline. */
function waitFor<T>(
  subscribe: (next: (e: T) => void) => { unsubscribe(): void },
  done: (e: T) => boolean,
): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sub.unsubscribe();
      resolve(false);
    }, DEADLINE_MS);
    const sub = subscribe((e) => {
      if (!done(e)) return;
      clearTimeout(timer);
      queueMicrotask(() => {
        sub.unsubscribe();
      });
      resolve(true);
    });
  });
}

/**
 * The live Running pods the shared pod informer has seen (by uid), for `waitFor`: the watch the
 * scheduler and controllers already share, rather than one more watch of every pod.
 */
function runningTracker(informers: SharedInformerFactory) {
  const running = new Set<string>();
  const subscribe = (next: (e: unknown) => void) =>
    informers.informerFor(resources.Pods).events.subscribe((e) => {
      const uid = e.object.metadata?.uid ?? '';
      const live = e.type !== 'deleted' && !e.object.metadata?.deletionTimestamp;
      if (live && e.object.status?.phase === 'Running') running.add(uid);
      else running.delete(uid);
      next(e);
    });
  return { subscribe, size: () => running.size };
}

/** Seconds to all Running and for the rolling update (absent: not finished by the deadline), peak heap. */
interface RunResult {
  readonly upS?: number;
  readonly rollS?: number;
  readonly heapMb: number;
}

async function deploymentRun(): Promise<RunResult> {
  const cluster = await startCluster(true);
  const heap = heapSampler();
  let progress: NodeJS.Timeout | undefined;
  try {
    const { api } = cluster;
    const tracker = runningTracker(cluster.informers);
    let t0 = performance.now();
    const allRunning = waitFor(tracker.subscribe, () => tracker.size() >= REPLICAS);
    const d: appsv1.Deployment = {
      metadata: { name: 'bench', namespace: ns },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: 'bench' } },
        template: template(images[0]!),
      },
    };
    const upProfile = await profileWindow('deployment-up');
    await api.create(resources.Deployments, d);
    const up = await allRunning;
    await upProfile.stop();
    if (!up) return { heapMb: heap.peak() };
    const upS = (performance.now() - t0) / 1000;
    // `BENCH_ROLL=0` stops after the scale-up (profiling it alone).
    if (process.env['BENCH_ROLL'] === '0') return { upS, heapMb: heap.peak() };

    // The rollout is over when the Deployment says every replica is updated and available.
    t0 = performance.now();
    const updated = await api.patch(
      resources.Deployments,
      'bench',
      'strategic',
      { spec: { template: { spec: { containers: [{ name: 'main', image: images[1] }] } } } },
      { namespace: ns },
    );
    const generation = updated.metadata?.generation ?? 0;
    progress = process.env['BENCH_PROGRESS']
      ? setInterval(() => {
          void Promise.all([
            api.list(resources.ReplicaSets, { namespace: ns }),
            api.list(resources.Pods, { namespace: ns }),
          ]).then(([rss, pods]) => {
            const phases: Record<string, number> = {};
            for (const p of pods.items) {
              const k = p.metadata?.deletionTimestamp
                ? 'terminating'
                : !p.spec?.nodeName
                  ? 'unscheduled'
                  : (p.status?.phase ?? 'none');
              phases[k] = (phases[k] ?? 0) + 1;
            }
            const sets = rss.items.map(
              (rs) => `${rs.spec?.replicas}/${rs.status?.replicas}/${rs.status?.availableReplicas}`,
            );
            process.stderr.write(
              `${((performance.now() - t0) / 1000).toFixed(1)}s rs(spec/status/avail)=${sets.join(' ')} pods=${JSON.stringify(phases)}\n`,
            );
          });
        }, 1000)
      : undefined;
    const rolled = await waitFor<appsv1.Deployment>(
      (next) =>
        api.watch(resources.Deployments, { namespace: ns }).subscribe((e) => {
          if (e.type === 'ADDED' || e.type === 'MODIFIED') next(e.object);
        }),
      (x) => {
        const s = x.status;
        return (
          (s?.observedGeneration ?? 0) >= generation &&
          s?.updatedReplicas === REPLICAS &&
          s.replicas === REPLICAS &&
          s.availableReplicas === REPLICAS
        );
      },
    );
    const rollS = (performance.now() - t0) / 1000;
    return rolled ? { upS, rollS, heapMb: heap.peak() } : { upS, heapMb: heap.peak() };
  } finally {
    clearInterval(progress);
    heap.stop();
    await cluster.stop();
  }
}

async function baselineRun(): Promise<RunResult> {
  const cluster = await startCluster(false);
  const heap = heapSampler();
  try {
    const { api } = cluster;
    const tracker = runningTracker(cluster.informers);
    const profile = await profileWindow('baseline');
    const t0 = performance.now();
    const allRunning = waitFor(tracker.subscribe, () => tracker.size() >= REPLICAS);
    let next = 0;
    await Promise.all(
      Array.from({ length: CREATE_CONCURRENCY }, async () => {
        while (next < REPLICAS) {
          const i = next++;
          await api.create(resources.Pods, {
            metadata: { name: `pod-${i}`, namespace: ns, labels: { app: 'bench' } },
            spec: template(images[0]!).spec!,
          });
        }
      }),
    );
    const finished = await allRunning;
    await profile.stop();
    return finished ? { upS: (performance.now() - t0) / 1000, heapMb: heap.peak() } : { heapMb: heap.peak() };
  } finally {
    heap.stop();
    await cluster.stop();
  }
}

const seconds = (s: number | undefined): string =>
  s === undefined ? `not finished in ${formatNumber(DEADLINE_MS / 1000)}` : formatNumber(s, 2);

// `BENCH_BASELINE=0` skips the baseline run; `BENCH_DEPLOYMENT=0` skips the Deployment run.
const ours = process.env['BENCH_DEPLOYMENT'] === '0' ? { heapMb: 0 } : await deploymentRun();
const base = process.env['BENCH_BASELINE'] === '0' ? { heapMb: 0 } : await baselineRun();
console.log('## Deployment of 10k replicas (runtime-fake kubelets, real scheduler and controllers)\n');
console.log(
  `One Deployment of ${formatNumber(REPLICAS)} replicas on ${formatNumber(NODES)} Kubelets on FakeRuntimes (no servers), with the\n` +
    'real scheduler, ReplicaSet and Deployment controllers, in-process apiserver and store-memory, in one process.\n' +
    '"all Running" is when a watch has seen every replica Running (goal < 20 s at full scale; KWOK\'s CI bound,\n' +
    'without a scheduler, is 60 s); the rolling update (25% surge / 25% unavailable) ends when the Deployment\n' +
    'reports every replica updated and available. The baseline creates the same pods straight through the API\n' +
    '(no controllers), with the same scheduler and kubelets.\n',
);
console.log(
  markdownTable(
    ['run', 'to all Running (s)', 'rolling update (s)', 'peak heap (MB)'],
    [
      [
        `Deployment: ${formatNumber(REPLICAS)} replicas, ${formatNumber(NODES)} nodes`,
        seconds(ours.upS),
        ours.upS === undefined ? 'not started' : seconds(ours.rollS),
        formatNumber(ours.heapMb),
      ],
      [
        `baseline: ${formatNumber(REPLICAS)} pods created directly`,
        seconds(base.upS),
        '',
        formatNumber(base.heapMb),
      ],
    ],
  ),
);
process.exit(0);
