import { isDeepStrictEqual } from 'node:util';

import {
  ApiError,
  EventRecorder,
  ListWatchInformer,
  realClock,
  resources,
  silentLogger,
  type Clock,
  type Logger,
  type TimerHandle,
  type corev1,
} from '@tugboat/core';
import type { Subscription } from 'rxjs';

import { containerEnv, type EnvSources } from './env/containerEnv.js';
import type { ImageGcManager } from './images/ImageGcManager.js';
import { nodeImages } from './images/nodeImages.js';
import type { KubeletOptions } from './KubeletOptions.js';
import { NodeStatusManager } from './node/NodeStatusManager.js';
import { adopt } from './pod/adopt.js';
import { Backoff } from './pod/Backoff.js';
import { PodDns } from './pod/PodDns.js';
import { PodRegistry } from './pod/PodRegistry.js';
import { PodSyncer } from './pod/PodSyncer.js';
import { PodWorkers } from './pod/PodWorkers.js';
import type { KubeletDeps, NodeStatus, PodProber, PodVolumes } from './pod/seams.js';
import { StatusWriter } from './pod/StatusWriter.js';
import { ProbeManager } from './prober/ProbeManager.js';
import { KubeletServer } from './server/KubeletServer.js';
import { VolumeManager, containerMounts } from './volumes/VolumeManager.js';

async function getOrUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (ApiError.is(err, 'NotFound')) return undefined;
    throw err;
  }
}

/** Whether an update touched what the kubelet acts on: spec, labels, annotations or deletion. */
function specChanged(old: corev1.Pod, pod: corev1.Pod): boolean {
  const a = old.metadata ?? {};
  const b = pod.metadata ?? {};
  return (
    a.deletionTimestamp !== b.deletionTimestamp ||
    a.deletionGracePeriodSeconds !== b.deletionGracePeriodSeconds ||
    !isDeepStrictEqual(a.labels ?? {}, b.labels ?? {}) ||
    !isDeepStrictEqual(a.annotations ?? {}, b.annotations ?? {}) ||
    !isDeepStrictEqual(old.spec, pod.spec)
  );
}

/**
 * The node agent: registers its Node, watches the pods bound to it (field selector
 * `spec.nodeName`), runs each through one serialized pod worker against the Runtime, probes them,
 * reports their status, and serves logs, exec and stats when `options.server` is set. A container
 * exit triggers its pod's sync at once; every pod is also re-synced periodically.
 */
export class Kubelet {
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly recorder: EventRecorder;
  private readonly pods: ListWatchInformer<corev1.Pod>;
  private readonly services: ListWatchInformer<corev1.Service>;
  private readonly prober: PodProber;
  private readonly volumes: PodVolumes;
  private readonly syncer: PodSyncer;
  private readonly workers: PodWorkers;
  private readonly registry: PodRegistry;
  private readonly imageGc: ImageGcManager | undefined;
  private readonly deps: KubeletDeps;
  /** The pods seen by uid, and the last state of those deleted from the API (to clean up). */
  private readonly byUid = new Map<string, corev1.Pod>();
  private readonly gone = new Map<string, corev1.Pod>();
  private readonly subs: Subscription[] = [];
  private nodeStatus: NodeStatus | undefined;
  private server: KubeletServer | undefined;
  private port = 0;
  private starting: Promise<void> | undefined;
  private resyncTimer: TimerHandle | undefined;
  private stopped = false;

  /**
   * @param deps replaces collaborators (prober, volumes, env, mounts, node status) — for tests
   *   exercising the pod lifecycle on its own; the defaults are the package's real ones.
   */
  constructor(
    readonly options: KubeletOptions,
    deps: Partial<KubeletDeps> = {},
  ) {
    const { client, runtime, nodeName } = options;
    this.log = (options.logger ?? silentLogger).child({ component: 'kubelet', node: nodeName });
    this.clock = options.clock ?? realClock;
    const clock = this.clock;
    const log = this.log;
    this.recorder = new EventRecorder(client, log, { component: 'kubelet', host: nodeName, clock });
    this.deps = {
      prober: (onResult) =>
        new ProbeManager({ runtime, clock, logger: log, recorder: this.recorder, onResult }),
      volumes: () => new VolumeManager({ client, rootDir: options.rootDir, nodeName, clock, logger: log }),
      nodeStatus: (kubeletPort) =>
        new NodeStatusManager({
          client,
          runtime,
          nodeName,
          clock,
          logger: log,
          address: this.hostIp,
          kubeletPort,
          rootDir: options.rootDir,
          recorder: this.recorder,
          ...(options.labels ? { labels: options.labels } : {}),
          ...(options.capacity ? { capacity: options.capacity } : {}),
          ...(options.leaseRenewIntervalMs ? { leaseRenewIntervalMs: options.leaseRenewIntervalMs } : {}),
          ...(options.nodeStatusReportIntervalMs
            ? { nodeStatusReportIntervalMs: options.nodeStatusReportIntervalMs }
            : {}),
        }),
      env: containerEnv,
      mounts: containerMounts,
      ...deps,
    };
    this.pods = new ListWatchInformer(client, resources.Pods, log, {
      fieldSelector: `spec.nodeName=${nodeName}`,
    });
    this.services = new ListWatchInformer(client, resources.Services, log);
    this.prober = this.deps.prober((uid) => {
      this.workers.enqueue(uid);
    });
    this.volumes = this.deps.volumes();
    const backoff = options.backoff ?? {};
    const initialMs = backoff.initialMs ?? 10_000;
    const maxMs = backoff.maxMs ?? 300_000;
    const { images, gc } = nodeImages(options, {
      recorder: this.recorder,
      clock,
      logger: log,
      changed: () => this.nodeStatus?.requestUpdate(),
    });
    this.imageGc = gc;
    this.syncer = new PodSyncer({
      nodeName,
      hostIp: this.hostIp,
      rootDir: options.rootDir,
      client,
      runtime,
      recorder: this.recorder,
      log,
      clock,
      prober: this.prober,
      volumes: this.volumes,
      env: this.deps.env,
      mounts: this.deps.mounts,
      sources: this.envSources(),
      statuses: new StatusWriter(client, log),
      crashBackoff: new Backoff({ initialMs, maxMs }),
      pulls: new Backoff({ initialMs, maxMs }),
      images,
      resetAfterMs: backoff.resetAfterMs ?? 600_000,
      dns: new PodDns({
        log,
        ...(options.clusterDns ? { clusterDns: options.clusterDns } : {}),
        ...(options.clusterDomain !== undefined ? { clusterDomain: options.clusterDomain } : {}),
        ...(options.resolvConf !== undefined ? { resolvConf: options.resolvConf } : {}),
      }),
    });
    this.workers = new PodWorkers((uid) => this.syncUid(uid), clock, log, {
      baseMs: Math.min(1000, initialMs),
      maxMs: Math.min(maxMs, 30_000),
    });
    this.registry = new PodRegistry(
      { byName: (ns, name) => this.pods.cache.get(name, ns), all: () => this.pods.cache.list() },
      runtime,
    );
  }

  /** The name of the Node this kubelet runs. */
  get nodeName(): string {
    return this.options.nodeName;
  }

  /** The node's InternalIP: pods' hostIP, and the podIP of host-network pods. */
  get hostIp(): string {
    return this.options.address ?? '127.0.0.1';
  }

  /** The kubelet server's port once started (0: no server). */
  get serverPort(): number {
    return this.port;
  }

  /** Finds pods' containers for logs and exec (what the kubelet server uses). */
  get locator(): PodRegistry {
    return this.registry;
  }

  /**
   * Registers the node, starts the server, the informers, adopts what the runtime already runs
   * and starts the pod workers. Idempotent.
   */
  start(): Promise<void> {
    this.starting ??= this.doStart().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const { options } = this;
    if (options.server) {
      this.server = new KubeletServer({
        nodeName: options.nodeName,
        runtime: options.runtime,
        locator: this.registry,
        tls: options.server.tls,
        ...(options.server.host !== undefined ? { host: options.server.host } : {}),
        port: options.server.port ?? 10250,
        logger: this.log,
      });
      this.port = await this.server.start();
    }
    this.nodeStatus = this.deps.nodeStatus(this.port);
    await this.nodeStatus.start();
    await Promise.all([this.pods.start(), this.services.start()]);
    if (this.stopped) return;
    const bound = new Set(this.pods.cache.list().map((p) => p.metadata?.uid ?? ''));
    const { adopted, removed } = await adopt(
      options.runtime,
      this.volumes,
      bound,
      options.nodeName,
      this.log,
    );
    this.log.info('kubelet started', { adopted, removed, pods: bound.size, port: this.port });
    this.subs.push(
      this.pods.events.subscribe((e) => {
        const uid = e.object.metadata?.uid ?? '';
        if (e.type === 'deleted') {
          this.byUid.delete(uid);
          this.gone.set(uid, e.object);
        } else this.byUid.set(uid, e.object);
        // As upstream's pod config: an update of the status alone (our own writes) needs no sync.
        if (e.type !== 'updated' || specChanged(e.old, e.object)) this.workers.enqueue(uid);
      }),
      options.runtime.events.subscribe((e) => {
        // Creations and starts are the kubelet's own doing; an exit is news.
        if (e.type !== 'exited') return;
        const uid = this.syncer.sandboxOwner(e.podSandboxId);
        if (uid !== undefined) this.workers.enqueue(uid);
      }),
    );
    this.scheduleResync();
    this.imageGc?.start();
  }

  private scheduleResync(): void {
    if (this.stopped) return;
    const every = this.options.resyncIntervalMs ?? 60_000;
    this.resyncTimer = this.clock.setTimeout(() => {
      if (this.stopped) return;
      for (const uid of this.byUid.keys()) this.workers.enqueue(uid);
      this.scheduleResync();
    }, every);
  }

  private async syncUid(uid: string): Promise<{ requeueAfterMs?: number }> {
    const pod = this.byUid.get(uid);
    if (pod) return this.syncer.sync(pod);
    await this.syncer.removeGone(this.gone.get(uid), uid);
    this.gone.delete(uid);
    if (!this.byUid.has(uid)) this.workers.forget(uid);
    return {};
  }

  private envSources(): EnvSources {
    const { client } = this.options;
    return {
      getConfigMap: (namespace, name) =>
        getOrUndefined(client.get(resources.ConfigMaps, name, { namespace })),
      getSecret: (namespace, name) => getOrUndefined(client.get(resources.Secrets, name, { namespace })),
      services: (namespace) => {
        const own = this.services.cache.list(namespace);
        const master = namespace === 'default' ? undefined : this.services.cache.get('kubernetes', 'default');
        return master ? [...own, master] : own;
      },
    };
  }

  /** Stops watching, workers, probes, heartbeats and the server; containers keep running (a restarted kubelet adopts them). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.resyncTimer !== undefined) this.clock.clearTimeout(this.resyncTimer);
    for (const s of this.subs.splice(0)) s.unsubscribe();
    await this.starting?.catch(() => undefined);
    for (const s of this.subs.splice(0)) s.unsubscribe();
    await this.workers.stop();
    await this.imageGc?.stop();
    this.prober.stop();
    await Promise.all([this.pods.stop(), this.services.stop()]);
    await this.server?.close();
    await this.nodeStatus?.stop();
  }
}
