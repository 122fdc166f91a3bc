import { randomBytes } from 'node:crypto';
import path from 'node:path';

import {
  ApiError,
  formatResolvConf,
  imagePullError,
  normalizeImageRef,
  type Container,
  type ContainerConfig,
  type ContainerEvent,
  type ContainerFilter,
  type ContainerStatus,
  type PodSandbox,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type PodSandboxStatus,
} from '@tugboat/core';
import { Subject } from 'rxjs';

import { FakeBehaviours } from './FakeBehaviour.js';
import { systemClock, type FakeClock } from './FakeClock.js';
import { ImageStore, type FakeImageSpec } from './internal/ImageStore.js';
import { LabelIndex } from './internal/LabelIndex.js';
import { launch } from './internal/launch.js';
import type { ExitInfo } from './internal/Proc.js';
import type { ContainerRecord, SandboxRecord } from './internal/records.js';
import { containerView, invalidIf, matches, sandboxView } from './internal/views.js';

/** Options of a simulated node (the "daemon" behind {@link FakeRuntime} clients). */
export interface FakeNodeOptions {
  /** Time source for every delay; default real time. Use `ManualClock` for deterministic tests. */
  readonly clock?: FakeClock;
  /** Scripts by container name or image. */
  readonly behaviours?: FakeBehaviours;
  /** Images present from the start. */
  readonly images?: readonly (string | FakeImageSpec)[];
  /** Which references `pullImage` finds; default every valid reference. */
  readonly pullable?: (normalizedRef: string) => boolean;
  /** Configs for images when pulled (else busybox-like defaults). */
  readonly registry?: readonly FakeImageSpec[];
}

/**
 * The state of one simulated node: sandboxes, containers, images and the event stream. Clients
 * ({@link FakeRuntime}) come and go; the node and its containers stay, as a daemon's do.
 */
export class FakeNode {
  readonly clock: FakeClock;
  readonly behaviours: FakeBehaviours;
  readonly images = new ImageStore();
  readonly sandboxes = new Map<string, SandboxRecord>();
  readonly containers = new Map<string, ContainerRecord>();
  private readonly sandboxLabels = new LabelIndex();
  private readonly containerLabels = new LabelIndex();
  /** When false, every call fails with `Unavailable`, as if the daemon were down. */
  available = true;
  private readonly subject = new Subject<ContainerEvent>();
  readonly events = this.subject.asObservable();
  private readonly idPrefix = randomBytes(16).toString('hex');
  private seq = 0;
  private readonly registry: ReadonlyMap<string, FakeImageSpec>;

  constructor(readonly options: FakeNodeOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.behaviours = options.behaviours ?? new FakeBehaviours();
    for (const image of options.images ?? []) this.images.add(image);
    this.registry = new Map((options.registry ?? []).map((s) => [normalizeImageRef(s.ref), s]));
  }

  /** A fresh 64-hex id (cheap: a random prefix and a counter). */
  newId(): string {
    return this.idPrefix + (++this.seq).toString(16).padStart(32, '0');
  }

  pull(image: string): string {
    const ref = normalizeImageRef(image);
    const present = this.images.find(ref);
    if (present) return present.image.id;
    if (this.options.pullable && !this.options.pullable(ref)) {
      throw imagePullError(image, 'NotFound', 'not found in any registry');
    }
    return this.images.add(this.registry.get(ref) ?? ref);
  }

  sandbox(id: string): SandboxRecord {
    const sb = this.sandboxes.get(id);
    if (!sb)
      throw new ApiError('NotFound', `pod sandbox "${id}" not found`, { name: id, kind: 'PodSandbox' });
    return sb;
  }

  container(id: string): ContainerRecord {
    const c = this.containers.get(id);
    if (!c) throw new ApiError('NotFound', `container "${id}" not found`, { name: id, kind: 'Container' });
    return c;
  }

  runSandbox(config: PodSandboxConfig): string {
    const m = config.metadata as Partial<PodSandboxConfig['metadata']> | undefined;
    invalidIf('PodSandbox', m?.name ?? '', [
      [!m?.name, 'metadata.name', 'Required value'],
      [!m?.namespace, 'metadata.namespace', 'Required value'],
      [!m?.uid, 'metadata.uid', 'Required value'],
      [typeof config.logDirectory !== 'string', 'logDirectory', 'Required value'],
    ]);
    const id = this.newId();
    const n = this.seq;
    this.sandboxes.set(id, {
      id,
      config,
      labels: { ...config.labels },
      annotations: { ...config.annotations },
      createdAt: this.clock.now(),
      ip: config.hostNetwork ? '127.0.0.1' : `10.88.${(n >> 8) & 255}.${n & 255 || 1}`,
      state: 'SANDBOX_READY',
      containers: new Set(),
    });
    this.sandboxLabels.add(id, config.labels ?? {});
    return id;
  }

  async stopSandbox(id: string): Promise<void> {
    const sb = this.sandbox(id);
    await Promise.all([...sb.containers].map((c) => this.stop(c, 0)));
    sb.state = 'SANDBOX_NOTREADY';
  }

  async removeSandbox(id: string): Promise<void> {
    const sb = this.sandboxes.get(id);
    if (!sb) return;
    await Promise.all([...sb.containers].map((c) => this.remove(c)));
    this.sandboxes.delete(id);
    this.sandboxLabels.remove(id, sb.labels);
  }

  sandboxStatus(id: string): PodSandboxStatus {
    const sb = this.sandbox(id);
    return { ...sandboxView(sb), ip: sb.ip };
  }

  listSandboxes(filter: PodSandboxFilter = {}): PodSandbox[] {
    const out: PodSandbox[] = [];
    const byLabel = this.sandboxLabels.candidates(filter.labelSelector);
    const candidates = filter.id
      ? [this.sandboxes.get(filter.id)]
      : byLabel
        ? [...byLabel].map((i) => this.sandboxes.get(i))
        : this.sandboxes.values();
    for (const sb of candidates) {
      if (!sb || (filter.state && sb.state !== filter.state) || !matches(sb.labels, filter.labelSelector))
        continue;
      out.push(sandboxView(sb));
    }
    return out;
  }

  create(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): string {
    const sb = this.sandbox(podSandboxId);
    const m = config.metadata as Partial<ContainerConfig['metadata']> | undefined;
    invalidIf('Container', m?.name ?? '', [
      [!m?.name, 'metadata.name', 'Required value'],
      [typeof config.logPath !== 'string' || config.logPath === '', 'logPath', 'Required value'],
      [typeof config.image !== 'string', 'image', 'Required value'],
    ]);
    const image = this.images.require(config.image);
    const id = this.newId();
    const logDirectory = sandboxConfig.logDirectory || sb.config.logDirectory;
    this.containers.set(id, {
      id,
      podSandboxId,
      config,
      labels: { ...config.labels },
      annotations: { ...config.annotations },
      imageRef: image.image.id,
      logPath: path.join(logDirectory, config.logPath),
      hostname: sb.config.hostname ?? sb.config.metadata.name,
      podName: sb.config.metadata.name,
      podNamespace: sb.config.metadata.namespace,
      createdAt: this.clock.now(),
      state: 'CONTAINER_CREATED',
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      ...resolvConfFile(sb.config),
    });
    sb.containers.add(id);
    this.containerLabels.add(id, config.labels ?? {});
    this.emit('created', id, podSandboxId);
    return id;
  }

  start(id: string): void {
    const rec = this.container(id);
    if (rec.state !== 'CONTAINER_CREATED') {
      throw new ApiError('Conflict', `container "${id}" is in state ${rec.state}, not CONTAINER_CREATED`, {
        name: id,
        kind: 'Container',
      });
    }
    const image = this.images.find(rec.imageRef) ?? this.images.require(rec.config.image);
    rec.state = 'CONTAINER_RUNNING';
    rec.startedAt = this.clock.now();
    this.emit('started', id, rec.podSandboxId);
    launch(rec, image.spec, this.clock, this.behaviours, (info) => {
      this.exited(rec, info);
    });
  }

  private exited(rec: ContainerRecord, info: ExitInfo): void {
    if (rec.state !== 'CONTAINER_RUNNING') return;
    rec.state = 'CONTAINER_EXITED';
    rec.finishedAt = this.clock.now();
    rec.exitCode = info.exitCode;
    rec.reason = info.reason ?? (info.exitCode === 0 ? 'Completed' : 'Error');
    if (info.message !== undefined) rec.message = info.message;
    delete rec.proc;
    delete rec.log;
    this.emit('exited', rec.id, rec.podSandboxId, info.exitCode);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the container has exited. */
  async stop(id: string, timeoutSeconds: number): Promise<void> {
    const rec = this.container(id);
    const proc = rec.proc;
    // Like containerd: stopping a container that is not running (created or exited) changes nothing.
    if (!proc || rec.state !== 'CONTAINER_RUNNING') return;
    if (timeoutSeconds <= 0) proc.signal('KILL');
    else proc.signal('TERM');
    if (proc.done) {
      await proc.exited;
      return;
    }
    const timer = this.clock.setTimeout(() => {
      proc.signal('KILL');
    }, timeoutSeconds * 1000);
    await proc.exited;
    this.clock.clearTimeout(timer);
  }

  async remove(id: string): Promise<void> {
    const rec = this.containers.get(id);
    if (!rec) return;
    if (rec.state === 'CONTAINER_RUNNING') await this.stop(id, 0);
    this.containers.delete(id);
    this.containerLabels.remove(id, rec.labels);
    this.sandboxes.get(rec.podSandboxId)?.containers.delete(id);
    this.emit('deleted', id, rec.podSandboxId);
  }

  status(id: string): ContainerStatus {
    const rec = this.container(id);
    return {
      ...containerView(rec),
      startedAt: rec.startedAt,
      finishedAt: rec.finishedAt,
      exitCode: rec.exitCode,
      ...(rec.reason !== undefined ? { reason: rec.reason } : {}),
      ...(rec.message !== undefined ? { message: rec.message } : {}),
      logPath: rec.logPath,
    };
  }

  list(filter: ContainerFilter = {}): Container[] {
    const out: Container[] = [];
    const ids = filter.id
      ? [filter.id]
      : filter.podSandboxId
        ? [...(this.sandboxes.get(filter.podSandboxId)?.containers ?? [])]
        : this.containerLabels.candidates(filter.labelSelector);
    const candidates = ids ? [...ids].map((i) => this.containers.get(i)) : this.containers.values();
    for (const rec of candidates) {
      if (!rec) continue;
      if (filter.podSandboxId && rec.podSandboxId !== filter.podSandboxId) continue;
      if (filter.state && rec.state !== filter.state) continue;
      if (!matches(rec.labels, filter.labelSelector)) continue;
      out.push(containerView(rec));
    }
    return out;
  }

  private emit(
    type: ContainerEvent['type'],
    containerId: string,
    podSandboxId: string,
    exitCode?: number,
  ): void {
    if (!this.subject.observed) return;
    this.subject.next({
      type,
      containerId,
      podSandboxId,
      timestamp: this.clock.now(),
      ...(exitCode !== undefined ? { exitCode } : {}),
    });
  }
}

// As a real runtime writes the sandbox's DNS settings into /etc/resolv.conf, `cat` can read them.
function resolvConfFile(config: PodSandboxConfig): { files?: Map<string, string> } {
  const dns = config.dnsConfig ?? { servers: config.dnsServers ?? [], searches: [], options: [] };
  if (dns.servers.length + dns.searches.length + dns.options.length === 0) return {};
  return { files: new Map([['/etc/resolv.conf', formatResolvConf(dns)]]) };
}
