import { mkdir } from 'node:fs/promises';

import {
  ApiError,
  errors,
  normalizeImageRef,
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
import type { Observable } from 'rxjs';

import {
  defaultContainerdSocket,
  defaultRegistryConfigPath,
  type ContainerdRuntimeOptions,
} from './ContainerdRuntimeOptions.js';
import { ContainerEventPoller } from './internal/ContainerEventPoller.js';
import {
  fromWireContainer,
  fromWireContainerStatus,
  fromWireImage,
  fromWireSandbox,
  fromWireSandboxStatus,
  fromWireStats,
  toWireAuth,
  toWireContainerConfig,
  toWireSandboxConfig,
} from './internal/convert.js';
import { CriClient } from './internal/CriClient.js';
import { isMissingStatus, spdyExec } from './internal/spdyExec.js';
import { writeRegistryHosts } from './writeRegistryHosts.js';

/**
 * The {@link Runtime} on containerd's CRI plugin (`runtime.v1` over gRPC on a unix socket). State
 * lives in containerd, so a new instance on the same socket sees the same sandboxes and containers.
 * Container events are derived by polling (containerd 1.6 has no CRI event stream).
 */
export class ContainerdRuntime implements Runtime {
  readonly name = 'containerd';
  /** The socket this runtime talks to. */
  readonly socket: string;
  readonly events: Observable<ContainerEvent>;

  private readonly client: CriClient;
  private readonly poller: ContainerEventPoller;
  private readonly pullTimeoutMs: number;
  private readonly execTimeoutMs: number;
  private readonly callTimeoutMs: number;
  /** Deadline of calls that create, start, stop or remove (see {@link ContainerdRuntimeOptions}). */
  private readonly life: { timeoutMs: number };
  /** Settles once the configured registries' `hosts.toml` files are written (rejects if they cannot be). */
  private readonly registriesWritten: Promise<void>;
  /** Container id → sandbox id (never changes), because CRI's ContainerStatus does not say it. */
  private readonly sandboxOf = new Map<string, string>();

  constructor(options: ContainerdRuntimeOptions = {}) {
    this.socket = options.socket ?? defaultContainerdSocket;
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.pullTimeoutMs = options.pullTimeoutMs ?? 300_000;
    this.execTimeoutMs = options.execTimeoutMs ?? 60_000;
    this.life = { timeoutMs: options.lifecycleTimeoutMs ?? 120_000 };
    this.client = new CriClient(this.socket, this.callTimeoutMs);
    const logger = (options.logger ?? silentLogger).child({ runtime: 'containerd', socket: this.socket });
    this.poller = new ContainerEventPoller(
      { listContainers: () => this.listContainers(), containerStatus: (id) => this.containerStatus(id) },
      options.eventPollIntervalMs ?? 200,
      logger,
    );
    this.events = this.poller.events;
    const configPath = options.registryConfigPath ?? defaultRegistryConfigPath;
    this.registriesWritten = Promise.all(
      Object.entries(options.registries ?? {}).map(([host, config]) =>
        writeRegistryHosts(configPath, host, config),
      ),
    ).then(() => undefined);
    // Reported by the first pull; until then nobody may be awaiting it.
    this.registriesWritten.catch((err: unknown) => {
      logger.error('cannot write registry hosts', { err: String(err) });
    });
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string }> {
    const v = await this.client.call('Version', { version: 'v1' });
    return { runtimeName: v.runtimeName, runtimeVersion: v.runtimeVersion };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    // containerd writes container logs under this directory but does not create it.
    await mkdir(config.logDirectory, { recursive: true }).catch((err: unknown) => {
      throw new ApiError(
        'Internal',
        `cannot create log directory ${config.logDirectory}: ${String(err)}`,
        {},
        { cause: err },
      );
    });
    const res = await this.client.call(
      'RunPodSandbox',
      { config: toWireSandboxConfig(config) },
      { subject: config.metadata.name, ...this.life },
    );
    return res.podSandboxId;
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.mutate(() =>
      this.client.call('StopPodSandbox', { podSandboxId: id }, { subject: id, ...this.life }),
    );
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.poller.flush();
    await this.mutate(() =>
      ignoreNotFound(
        this.client.call('RemovePodSandbox', { podSandboxId: id }, { subject: id, ...this.life }),
      ),
    );
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const res = await this.client.call('PodSandboxStatus', { podSandboxId: id }, { subject: id });
    if (!res.status) throw errors.notFound('PodSandbox', id);
    return fromWireSandboxStatus(res.status);
  }

  async listPodSandboxes(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    const res = await this.client.call('ListPodSandbox', {
      filter: {
        ...(filter.id === undefined ? {} : { id: filter.id }),
        ...(filter.state === undefined ? {} : { state: { state: filter.state } }),
        ...(filter.labelSelector === undefined ? {} : { labelSelector: { ...filter.labelSelector } }),
      },
    });
    return res.items.map(fromWireSandbox);
  }

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    // containerd reports an unparsable reference as a missing image; say what is really wrong.
    normalizeImageRef(config.image);
    const res = await this.mutate(() =>
      this.client.call(
        'CreateContainer',
        {
          podSandboxId,
          config: toWireContainerConfig(config, sandboxConfig),
          sandboxConfig: toWireSandboxConfig(sandboxConfig),
        },
        { subject: podSandboxId, ...this.life },
      ),
    );
    this.sandboxOf.set(res.containerId, podSandboxId);
    return res.containerId;
  }

  async startContainer(id: string): Promise<void> {
    await this.mutate(() =>
      this.client.call('StartContainer', { containerId: id }, { subject: id, ...this.life }),
    );
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const timeout = Math.max(0, Math.ceil(timeoutSeconds));
    // containerd waits out the grace period itself, so the call's deadline must outlast it.
    await this.mutate(() =>
      this.client.call(
        'StopContainer',
        { containerId: id, timeout },
        { subject: id, timeoutMs: this.life.timeoutMs + timeout * 1000 },
      ),
    );
  }

  async removeContainer(id: string): Promise<void> {
    await this.poller.flush();
    await this.mutate(() =>
      ignoreNotFound(this.client.call('RemoveContainer', { containerId: id }, { subject: id, ...this.life })),
    );
    this.sandboxOf.delete(id);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const [res, podSandboxId] = await Promise.all([
      this.client.call('ContainerStatus', { containerId: id }, { subject: id }),
      this.sandboxIdOf(id),
    ]);
    if (!res.status) throw errors.notFound('Container', id);
    return fromWireContainerStatus(res.status, podSandboxId);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    const res = await this.client.call('ListContainers', {
      filter: {
        ...(filter.id === undefined ? {} : { id: filter.id }),
        ...(filter.podSandboxId === undefined ? {} : { podSandboxId: filter.podSandboxId }),
        ...(filter.state === undefined ? {} : { state: { state: filter.state } }),
        ...(filter.labelSelector === undefined ? {} : { labelSelector: { ...filter.labelSelector } }),
      },
    });
    const out = res.containers.map(fromWireContainer);
    for (const c of out) this.sandboxOf.set(c.id, c.podSandboxId);
    return out;
  }

  async containerStats(id: string): Promise<ContainerStats> {
    const res = await this.client.call('ContainerStats', { containerId: id }, { subject: id });
    return fromWireStats(id, res.stats);
  }

  async execSync(id: string, cmd: readonly string[], timeoutSeconds?: number): Promise<ExecSyncResult> {
    const timeout = timeoutSeconds !== undefined && timeoutSeconds > 0 ? Math.ceil(timeoutSeconds) : 0;
    const timeoutMs = timeout > 0 ? timeout * 1000 + this.callTimeoutMs : this.execTimeoutMs;
    try {
      const res = await this.client.call(
        'ExecSync',
        { containerId: id, cmd: [...cmd], timeout },
        { subject: id, timeoutMs },
      );
      return {
        stdout: new Uint8Array(res.stdout),
        stderr: new Uint8Array(res.stderr),
        exitCode: res.exitCode,
      };
    } catch (err) {
      // containerd ends an exec that outlives `timeout` with DEADLINE_EXCEEDED or "timeout 1s exceeded".
      if (
        timeout > 0 &&
        (ApiError.is(err, 'Timeout') ||
          (ApiError.is(err, 'Internal') && /timeout .* exceeded|deadline exceeded/i.test(err.message)))
      ) {
        throw new ApiError(
          'Timeout',
          `exec in container ${id} did not finish within ${timeout} s`,
          {},
          { cause: err },
        );
      }
      throw err;
    }
  }

  async exec(id: string, cmd: readonly string[], streams: ExecStreams): Promise<number> {
    const tty = streams.tty === true;
    const wantsOutput = streams.stdout !== undefined || streams.stderr !== undefined;
    const { url } = await this.client.call(
      'Exec',
      {
        containerId: id,
        cmd: [...cmd],
        tty,
        stdin: streams.stdin !== undefined,
        // CRI needs at least one stream; without any, stdout is read and dropped.
        stdout: streams.stdout !== undefined || !wantsOutput || (tty && streams.stderr !== undefined),
        stderr: !tty && streams.stderr !== undefined,
      },
      { subject: id },
    );
    return spdyExec(url, streams, this.callTimeoutMs, id);
  }

  /** CRI `Attach`, then the remote-command protocol over SPDY on the URL it returns, as {@link exec}. */
  async attach(id: string, streams: AttachStreams): Promise<void> {
    const status = await this.containerStatus(id);
    if (status.state !== 'CONTAINER_RUNNING')
      throw new ApiError('Conflict', `container "${id}" is not running (state ${status.state})`, {
        name: id,
        kind: 'Container',
      });
    const tty = streams.tty === true;
    const { url } = await this.client.call(
      'Attach',
      { containerId: id, tty, stdin: streams.stdin !== undefined, stdout: true, stderr: !tty },
      { subject: id },
    );
    try {
      await spdyExec(url, streams, this.callTimeoutMs, id);
    } catch (err) {
      // Detaching cuts the session before the server's final status: that is the point of it.
      if (streams.signal?.aborted !== true && !isMissingStatus(err)) throw err;
    }
  }

  async pullImage(image: string, auth?: AuthConfig): Promise<string> {
    // containerd's own message for a bad reference varies by version; this one names the reason.
    normalizeImageRef(image);
    await this.registriesWritten;
    const res = await this.client.call(
      'PullImage',
      { image: { image }, ...(auth ? { auth: toWireAuth(auth) } : {}) },
      { subject: image, timeoutMs: this.pullTimeoutMs },
    );
    return res.imageRef;
  }

  async imageStatus(image: string): Promise<Image | undefined> {
    const res = await this.client.call('ImageStatus', { image: { image } }, { subject: image });
    return res.image ? fromWireImage(res.image) : undefined;
  }

  async listImages(): Promise<Image[]> {
    const res = await this.client.call('ListImages', {});
    return res.images.map(fromWireImage);
  }

  async removeImage(image: string): Promise<void> {
    await ignoreNotFound(this.client.call('RemoveImage', { image: { image } }, { subject: image }));
  }

  close(): Promise<void> {
    this.poller.close();
    this.client.close();
    return Promise.resolve();
  }

  /**
   * Runs a call that changes containers: after the event poller's baseline (so the change is not
   * mistaken for the past), then asks it to look soon.
   */
  private async mutate<T>(call: () => Promise<T>): Promise<T> {
    await this.poller.ready();
    try {
      return await call();
    } finally {
      this.poller.poke();
    }
  }

  private async sandboxIdOf(id: string): Promise<string> {
    const known = this.sandboxOf.get(id);
    if (known !== undefined) return known;
    const [found] = await this.listContainers({ id });
    return found?.podSandboxId ?? '';
  }
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!ApiError.is(err, 'NotFound')) throw err;
  }
}
