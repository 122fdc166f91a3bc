import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

import Docker from 'dockerode';
import { inject, injectable, optional } from 'inversify';
import type { Observable } from 'rxjs';
import {
  ApiError,
  Logger,
  silentLogger,
  type AuthConfig,
  type Container,
  type ContainerConfig,
  type ContainerEvent,
  type ContainerFilter,
  type ContainerStats,
  type ContainerStatus,
  type AttachStreams,
  type ExecStreams,
  type ExecSyncResult,
  type Image,
  type PodSandbox,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type PodSandboxStatus,
  type Runtime,
} from '@tugboat/core';

import { DockerRuntimeOptions, defaultDockerSocket } from './DockerRuntimeOptions.js';
import {
  containerFromInspect,
  containerFromList,
  sandboxFromInspect,
  sandboxFromList,
} from './internal/convert.js';
import { CriLogs } from './internal/CriLogs.js';
import { Engine } from './internal/Engine.js';
import { EventsFeed } from './internal/EventsFeed.js';
import { attachStream } from './internal/attach.js';
import { execStream, execSync } from './internal/exec.js';
import { familiarImage, isImageId } from './internal/imageRef.js';
import * as images from './internal/images.js';
import { labelKeys, labelsOf } from './internal/labels.js';
import { containerSpec, sandboxSpec } from './internal/specs.js';

// What the stats endpoint sends for a container; fields are absent for one that is not running.
interface EngineStats {
  readonly read?: string;
  readonly cpu_stats?: { readonly cpu_usage?: { readonly total_usage?: number } };
  readonly memory_stats?: { readonly usage?: number; readonly stats?: Readonly<Record<string, number>> };
}

/**
 * The {@link Runtime} on Docker Engine through dockerode. A sandbox is a pause container owning the
 * pod's namespaces (host network, or an address on Docker's default bridge); app containers join its
 * network, IPC and PID namespaces. All metadata lives in Docker labels, so a new client (or a
 * restarted process) sees the same sandboxes and containers.
 */
@injectable()
export class DockerRuntime implements Runtime {
  readonly name = 'docker';
  /** The dockerode client, for callers that need the Engine directly (tests, benchmarks). */
  readonly docker: Docker;
  readonly events: Observable<ContainerEvent>;
  private readonly pauseImage: string;
  private readonly callTimeoutMs: number;
  private readonly engine: Engine;
  private readonly images: images.ImageTarget;
  private readonly logs: CriLogs;
  private readonly feed: EventsFeed;

  constructor(
    @inject(DockerRuntimeOptions) @optional() options: DockerRuntimeOptions = {},
    @inject(Logger) @optional() logger: Logger = silentLogger,
  ) {
    const socketPath = options.socketPath ?? defaultDockerSocket();
    this.pauseImage = images.requireImage(options.pauseImage ?? 'docker.io/tugboat/pause:1.0');
    this.callTimeoutMs = options.callTimeoutMs ?? 120_000;
    this.docker = new Docker({ socketPath });
    this.engine = new Engine(this.docker, socketPath, this.callTimeoutMs);
    this.images = {
      docker: this.docker,
      socketPath: socketPath,
      callTimeoutMs: this.callTimeoutMs,
      pullTimeoutMs: options.pullTimeoutMs ?? 300_000,
    };
    const log = logger.child({ runtime: 'docker', socket: socketPath });
    this.logs = new CriLogs(this.docker, log);
    // An `exited` event goes out once the container's log file holds all its output.
    this.feed = new EventsFeed(this.docker, socketPath, this.callTimeoutMs, log, (e) =>
      e.type === 'exited' ? this.logs.drained(e.containerId, 2000) : Promise.resolve(),
    );
    this.events = this.feed.events;
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string }> {
    const v = await this.engine.call({ kind: 'engine' }, () => this.docker.version());
    return { runtimeName: 'docker', runtimeVersion: v.Version };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const name = `${config.metadata.namespace}/${config.metadata.name}`;
    const spec = sandboxSpec(config, familiarImage(this.pauseImage));
    const id = await this.engine.create(spec, this.pauseImage, name);
    try {
      await this.engine.call({ kind: 'sandbox', name }, (signal) =>
        this.docker.getContainer(id).start({ abortSignal: signal }),
      );
    } catch (err) {
      await this.forceRemove(id).catch(() => undefined);
      throw err;
    }
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sandbox = await this.engine.inspectOwned(id, 'sandbox');
    const members = await this.engine.list('container', [`${labelKeys.sandboxId}=${sandbox.Id}`]);
    // Stopping a sandbox is forcible (CRI): the kubelet has already given containers their grace.
    await Promise.all(
      members.filter((c) => c.State === 'running').map((c) => this.engine.stop(c.Id, 0, 'container')),
    );
    await this.engine.stop(sandbox.Id, 2, 'sandbox');
  }

  async removePodSandbox(id: string): Promise<void> {
    const sandbox = await this.engine.inspectOwned(id, 'sandbox').catch((err: unknown) => {
      if (ApiError.is(err, 'NotFound')) return undefined;
      throw err;
    });
    // Members go even when the pause container is already gone, so nothing is left orphaned.
    const members = await this.engine.list('container', [`${labelKeys.sandboxId}=${sandbox?.Id ?? id}`]);
    await Promise.all(members.map((c) => this.forceRemove(c.Id)));
    if (sandbox) await this.forceRemove(sandbox.Id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    return sandboxFromInspect(await this.engine.inspectOwned(id, 'sandbox'));
  }

  async listPodSandboxes(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    const list = (await this.engine.list('sandbox', [], filter.labelSelector)).map(sandboxFromList);
    return list.filter(
      (s) =>
        (filter.id === undefined || s.id.startsWith(filter.id)) &&
        (filter.state === undefined || s.state === filter.state),
    );
  }

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    const image = images.requireImage(config.image);
    const [sandbox] = await Promise.all([
      this.engine.inspectOwned(podSandboxId, 'sandbox'),
      this.feed.ensure(),
    ]);
    // The sandbox's own labels say how it was made; the caller's copy of its config may differ.
    const hostNetwork = labelsOf(sandbox.Config)[labelKeys.hostNetwork] === 'true';
    const spec = containerSpec(sandbox.Id, config, { ...sandboxConfig, hostNetwork }, image);
    return this.engine.create(
      { ...spec, Image: isImageId(image) ? image : familiarImage(image) },
      image,
      config.metadata.name,
    );
  }

  async startContainer(id: string): Promise<void> {
    const [info] = await Promise.all([this.engine.inspectOwned(id, 'container'), this.feed.ensure()]);
    // CRI starts a container once; Docker would also restart an exited one, or answer 304.
    if (info.State.Status !== 'created') {
      throw new ApiError(
        'Conflict',
        `container "${id}" is ${info.State.Status}: only a created container can be started`,
        { name: id, kind: 'container' },
      );
    }
    const logPath = labelsOf(info.Config)[labelKeys.logPath] ?? '';
    if (logPath) {
      await mkdir(dirname(logPath), { recursive: true });
      await (await open(logPath, 'a')).close();
    }
    await this.engine.call({ kind: 'container', name: id }, (signal) =>
      this.docker.getContainer(info.Id).start({ abortSignal: signal }),
    );
    if (logPath) this.logs.ensure(info.Id, logPath, info.Config.Tty);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const info = await this.engine.inspectOwned(id, 'container');
    await this.engine.stop(info.Id, timeoutSeconds, 'container');
  }

  async removeContainer(id: string): Promise<void> {
    const info = await this.engine.inspectOwned(id, 'container').catch((err: unknown) => {
      if (ApiError.is(err, 'NotFound')) return undefined;
      throw err;
    });
    if (info) await this.forceRemove(info.Id);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const info = await this.engine.inspectOwned(id, 'container');
    const status = containerFromInspect(info);
    if (status.logPath && status.state !== 'CONTAINER_CREATED') {
      // A client that did not start the container (a reconnect) picks up its log file here.
      this.logs.ensure(info.Id, status.logPath, info.Config.Tty);
      // Callers read the log once they see `exited`: it must hold all the output by then.
      if (status.state === 'CONTAINER_EXITED') await this.logs.drained(info.Id, 2000);
    }
    return status;
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    const extra = filter.podSandboxId === undefined ? [] : [`${labelKeys.sandboxId}=${filter.podSandboxId}`];
    const list = (await this.engine.list('container', extra, filter.labelSelector)).map(containerFromList);
    return list.filter(
      (c) =>
        (filter.id === undefined || c.id.startsWith(filter.id)) &&
        (filter.state === undefined || c.state === filter.state),
    );
  }

  async containerStats(id: string): Promise<ContainerStats> {
    const info = await this.engine.inspectOwned(id, 'container');
    const stats = (await this.engine.call({ kind: 'container', name: id }, (signal) =>
      this.docker
        .getContainer(info.Id)
        .stats({ stream: false, 'one-shot': true, abortSignal: signal } as { stream: false }),
    )) as EngineStats;
    const mem = stats.memory_stats;
    const inactive = mem?.stats?.['inactive_file'] ?? mem?.stats?.['total_inactive_file'] ?? 0;
    return {
      id: info.Id,
      timestamp: Date.parse(stats.read ?? '') || Date.now(),
      cpuUsageCoreNanoSeconds: stats.cpu_stats?.cpu_usage?.total_usage ?? 0,
      memoryWorkingSetBytes: Math.max(0, (mem?.usage ?? 0) - inactive),
    };
  }

  async execSync(id: string, cmd: readonly string[], timeoutSeconds?: number): Promise<ExecSyncResult> {
    const ms =
      timeoutSeconds !== undefined && timeoutSeconds > 0 ? timeoutSeconds * 1000 : this.callTimeoutMs;
    const info = await this.engine.inspectOwned(id, 'container');
    return execSync(this.images, info.Id, cmd, ms);
  }

  async exec(id: string, cmd: readonly string[], streams: ExecStreams): Promise<number> {
    const info = await this.engine.inspectOwned(id, 'container');
    return execStream(this.images, info.Id, cmd, streams);
  }

  async attach(id: string, streams: AttachStreams): Promise<void> {
    const info = await this.engine.inspectOwned(id, 'container');
    return attachStream(this.images, info.Id, streams);
  }

  pullImage(image: string, auth?: AuthConfig): Promise<string> {
    return images.pullImage(this.images, image, auth);
  }

  imageStatus(image: string): Promise<Image | undefined> {
    return images.imageStatus(this.images, image);
  }

  listImages(): Promise<Image[]> {
    return images.listImages(this.images);
  }

  removeImage(image: string): Promise<void> {
    return images.removeImage(this.images, image);
  }

  close(): Promise<void> {
    this.feed.close();
    this.logs.close();
    return Promise.resolve();
  }

  private async forceRemove(id: string): Promise<void> {
    await this.engine.remove(id);
    this.logs.forget(id);
  }
}
