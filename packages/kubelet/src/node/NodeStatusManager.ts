import {
  ApiError,
  ignoreNotFound,
  resources,
  type ApiClient,
  type Clock,
  type corev1,
  type EventRecorder,
  type Image,
  type Logger,
  type Runtime,
  type TimerHandle,
} from '@tugboat/core';

import { Backoff, isTransient, messageOf } from './Backoff.js';
import { readHostInfo, type HostInfo } from './hostInfo.js';
import { NodeConditionEvents } from './NodeConditionEvents.js';
import { NodeLease } from './NodeLease.js';
import {
  desiredNodeStatus,
  nodeLabels,
  sameJson,
  statusChanged,
  type RuntimeObservation,
} from './nodeStatus.js';

/** Options of a {@link NodeStatusManager}. */
export interface NodeStatusManagerOptions {
  readonly client: ApiClient;
  readonly runtime: Runtime;
  readonly nodeName: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** InternalIP. */
  readonly address: string;
  /** The kubelet server's port for `status.daemonEndpoints` (0: none running). */
  readonly kubeletPort: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly capacity?: Readonly<Record<string, string>>;
  readonly leaseRenewIntervalMs?: number;
  readonly nodeStatusReportIntervalMs?: number;
  /** The kubelet's root directory: `ephemeral-storage` is the size of its filesystem (else `/`). */
  readonly rootDir?: string;
  /** How often the status is recomputed, and written if it changed (default 10 s, as upstream). */
  readonly nodeStatusUpdateIntervalMs?: number;
  /** Where node events go (`Starting`, `NodeReady`, `NodeNotReady`, …); none without it. */
  readonly recorder?: EventRecorder;
}

/**
 * The node half of the kubelet: registers the Node (or, after a restart, updates the one that
 * exists) with capacity, labels, addresses, system info and conditions; renews the node Lease;
 * recomputes the status every 10 s and writes it when it changed or at least every report
 * interval. Ready turns False while the runtime does not answer. API failures are retried with
 * backoff, never thrown out of a timer.
 */
export class NodeStatusManager {
  private readonly log: Logger;
  private readonly lease: NodeLease;
  private readonly backoff = new Backoff();
  private host: HostInfo | undefined;
  private nodeUid: string | undefined;
  private lastImages: readonly Image[] = [];
  private readonly events: NodeConditionEvents;
  private lastReportMs = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | undefined;
  private inflight: Promise<void> | undefined;
  private pending = false;
  private running = false;
  private wake: (() => void) | undefined;

  constructor(readonly options: NodeStatusManagerOptions) {
    this.log = options.logger.child({ component: 'node-status', node: options.nodeName });
    this.events = new NodeConditionEvents(options.nodeName, this.log, options.recorder);
    this.lease = new NodeLease({
      client: options.client,
      nodeName: options.nodeName,
      clock: options.clock,
      logger: this.log,
      renewIntervalMs: options.leaseRenewIntervalMs ?? 10_000,
      nodeUid: () => this.nodeUid,
    });
  }

  /**
   * Registers (creates or updates) the Node, starts the Lease heartbeat and status reports.
   * Resolves once the Node is registered; an unreachable apiserver is retried with backoff, a
   * request the apiserver refuses (invalid, forbidden) rejects with its ApiError.
   */
  async start(): Promise<void> {
    this.running = true;
    this.host = await readHostInfo(this.options.rootDir);
    if (!(await this.register())) return;
    this.events.record('Starting', 'Starting kubelet.');
    this.lease.start();
    this.schedule(this.updateIntervalMs);
  }

  /** Asks for a status update soon (e.g. images changed). */
  requestUpdate(): void {
    if (!this.running || this.host === undefined) return;
    if (this.inflight !== undefined) this.pending = true;
    else this.schedule(0);
  }

  /** Stops heartbeats; the Node stays. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.wake?.();
    await this.inflight;
    await this.lease.stop();
  }

  private get updateIntervalMs(): number {
    return this.options.nodeStatusUpdateIntervalMs ?? 10_000;
  }

  /** Registers, retrying transient failures; resolves whether the manager still runs. */
  private async register(): Promise<boolean> {
    for (;;) {
      try {
        await this.registerOnce();
        this.backoff.reset();
        return this.running;
      } catch (err) {
        if (!isTransient(err)) throw err;
        if (!this.running) {
          throw new ApiError(
            'Unavailable',
            `node "${this.options.nodeName}" was stopped before it registered`,
          );
        }
        const delay = this.backoff.next();
        this.log.warn('unable to register the node, will retry', { error: messageOf(err), retryInMs: delay });
        await this.sleep(delay);
      }
    }
  }

  private async registerOnce(): Promise<void> {
    const { client, nodeName } = this.options;
    const observed = await this.observeRuntime();
    if (await this.createNode(observed)) return;
    const existing = await client.get(resources.Nodes, nodeName);
    const labels = { ...existing.metadata?.labels, ...this.labels() };
    let node = existing;
    if (!sameJson(labels, existing.metadata?.labels ?? {})) {
      node = await client.update(resources.Nodes, {
        ...existing,
        metadata: { ...existing.metadata, labels },
      });
    }
    this.nodeUid = node.metadata?.uid;
    await this.syncOnce(true, observed);
    this.log.info('node registered (it existed)', { uid: this.nodeUid });
  }

  /** Creates the Node with its full status; false when it exists already. */
  private async createNode(observed: RuntimeObservation): Promise<boolean> {
    const { client, nodeName } = this.options;
    const now = this.options.clock.now();
    try {
      const created = await client.create(resources.Nodes, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: nodeName, labels: this.labels() },
        spec: {},
        status: desiredNodeStatus(this.inputs(observed), undefined, now),
      });
      this.nodeUid = created.metadata?.uid;
      this.lastReportMs = now;
      if (created.status) this.events.note(created.status);
      this.log.info('node registered', { uid: this.nodeUid });
      return true;
    } catch (err) {
      if (ApiError.is(err, 'AlreadyExists')) return false;
      throw err;
    }
  }

  private labels(): Record<string, string> {
    return nodeLabels(this.options.nodeName, this.hostInfo(), this.options.labels);
  }

  private hostInfo(): HostInfo {
    if (this.host === undefined) throw new ApiError('Internal', 'node status manager used before start()');
    return this.host;
  }

  private inputs(runtime: RuntimeObservation): Parameters<typeof desiredNodeStatus>[0] {
    const o = this.options;
    return {
      nodeName: o.nodeName,
      address: o.address,
      kubeletPort: o.kubeletPort,
      host: this.hostInfo(),
      capacity: o.capacity,
      runtime,
    };
  }

  private async observeRuntime(): Promise<RuntimeObservation> {
    const { runtime } = this.options;
    try {
      const v = await runtime.version();
      const images = await runtime.listImages().catch(() => undefined);
      if (images !== undefined) this.lastImages = images;
      return {
        ok: true,
        runtimeName: v.runtimeName,
        runtimeVersion: v.runtimeVersion,
        images: this.lastImages,
      };
    } catch (err) {
      return { ok: false, error: messageOf(err) };
    }
  }

  /**
   * Reads the Node, computes the wanted status and writes it (as a merge patch of the status
   * pinned to the read resourceVersion) when it changed or a report is due. A conflict rereads.
   */
  private async syncOnce(force: boolean, observed?: RuntimeObservation): Promise<void> {
    const { client, nodeName, clock } = this.options;
    const runtime = observed ?? (await this.observeRuntime());
    const reportEveryMs = this.options.nodeStatusReportIntervalMs ?? 60_000;
    for (let attempt = 0; attempt < 5; attempt++) {
      const node = await client.get(resources.Nodes, nodeName).catch(ignoreNotFound);
      // Someone deleted the Node while we run: register it again, as a restarted kubelet would.
      if (node === undefined && (await this.createNode(runtime))) return;
      if (node === undefined) continue;
      this.nodeUid = node.metadata?.uid;
      const now = clock.now();
      const desired = desiredNodeStatus(this.inputs(runtime), node.status, now);
      if (!force && now - this.lastReportMs < reportEveryMs && !statusChanged(node.status, desired)) return;
      try {
        await client.patch<corev1.Node>(
          resources.Nodes,
          nodeName,
          'merge',
          { metadata: { resourceVersion: node.metadata?.resourceVersion }, status: desired },
          { subresource: 'status' },
        );
        this.lastReportMs = now;
        this.events.note(desired);
        return;
      } catch (err) {
        if (!ApiError.is(err, 'Conflict')) throw err;
      }
    }
    throw new ApiError('Conflict', `node "${nodeName}" status: the node kept changing while it was updated`);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.runSync();
    }, ms);
  }

  private runSync(): void {
    if (this.inflight !== undefined) {
      this.pending = true;
      return;
    }
    this.inflight = this.syncOnce(false)
      .then(
        () => {
          this.backoff.reset();
          return this.updateIntervalMs;
        },
        (err: unknown) => {
          const delay = this.backoff.next();
          this.log.warn('unable to update the node status, will retry', {
            error: messageOf(err),
            retryInMs: delay,
          });
          return delay;
        },
      )
      .then((next) => {
        this.inflight = undefined;
        const again = this.pending;
        this.pending = false;
        this.schedule(again ? 0 : next);
      });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        this.options.clock.clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
