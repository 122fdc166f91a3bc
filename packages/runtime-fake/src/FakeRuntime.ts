import {
  ApiError,
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

import { FakeNode, type FakeNodeOptions } from './FakeNode.js';
import { runExec } from './internal/exec.js';
import { hubOf } from './internal/launch.js';

/** The calls of the {@link Runtime} contract, by name (for per-call latency). */
export type FakeRuntimeMethod = Exclude<
  {
    [K in keyof Runtime]-?: NonNullable<Runtime[K]> extends (...args: never[]) => unknown ? K : never;
  }[keyof Runtime],
  undefined
>;

/** Options of a {@link FakeRuntime}: the node's options, or an existing node to attach to. */
export interface FakeRuntimeOptions extends FakeNodeOptions {
  /** Attach to this node instead of making one (a second client of the same "daemon"). */
  readonly node?: FakeNode;
  /** Simulated latency of every call, or per call, in milliseconds on the node's clock. */
  readonly latencyMs?: number | Partial<Record<FakeRuntimeMethod, number>>;
}

/** A client's input chunk by chunk as it arrives, as text. */
async function* chunksOf(stream: NodeJS.ReadableStream): AsyncGenerator<string> {
  for await (const chunk of stream) yield typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
}

/**
 * The {@link Runtime} contract simulated in memory: a client of a {@link FakeNode} that holds the
 * sandboxes, containers and images. Containers run scripted behaviours (see `FakeBehaviours`) or
 * their command through a small busybox-sh interpreter; their logs are real CRI-format files.
 * Every delay runs on the node's clock, so tests with a `ManualClock` are deterministic.
 */
export class FakeRuntime implements Runtime {
  readonly name = 'fake';
  readonly node: FakeNode;
  readonly events: Observable<ContainerEvent>;
  private closed = false;

  constructor(private readonly options: FakeRuntimeOptions = {}) {
    this.node = options.node ?? new FakeNode(options);
    this.events = this.node.events;
  }

  /** A new client of the same node, as after a reconnect to the daemon. */
  reconnect(): FakeRuntime {
    return new FakeRuntime({ ...this.options, node: this.node });
  }

  private async call(method: FakeRuntimeMethod): Promise<void> {
    if (this.closed) throw new ApiError('Unavailable', `fake runtime: client is closed (${method})`);
    const l = this.options.latencyMs;
    const ms = typeof l === 'number' ? l : (l?.[method] ?? 0);
    if (ms > 0) await new Promise<void>((resolve) => this.node.clock.setTimeout(resolve, ms));
    if (!this.node.available) throw new ApiError('Unavailable', `fake runtime: the node is down (${method})`);
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string }> {
    await this.call('version');
    return { runtimeName: 'tugboat-fake', runtimeVersion: '0.1.0' };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    await this.call('runPodSandbox');
    return this.node.runSandbox(config);
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.call('stopPodSandbox');
    await this.node.stopSandbox(id);
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.call('removePodSandbox');
    await this.node.removeSandbox(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    await this.call('podSandboxStatus');
    return this.node.sandboxStatus(id);
  }

  async listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    await this.call('listPodSandboxes');
    return this.node.listSandboxes(filter);
  }

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    await this.call('createContainer');
    return this.node.create(podSandboxId, config, sandboxConfig);
  }

  async startContainer(id: string): Promise<void> {
    await this.call('startContainer');
    this.node.start(id);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.call('stopContainer');
    await this.node.stop(id, timeoutSeconds);
  }

  async removeContainer(id: string): Promise<void> {
    await this.call('removeContainer');
    await this.node.remove(id);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    await this.call('containerStatus');
    return this.node.status(id);
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    await this.call('listContainers');
    return this.node.list(filter);
  }

  async containerStats(id: string): Promise<ContainerStats> {
    await this.call('containerStats');
    const rec = this.node.container(id);
    const now = this.node.clock.now();
    const nanoCores = rec.behaviour?.stats?.cpuNanoCores ?? 1_000_000;
    const ranMs = rec.startedAt === 0 ? 0 : (rec.finishedAt || now) - rec.startedAt;
    const running = rec.state === 'CONTAINER_RUNNING';
    const memory =
      rec.behaviour?.stats?.memoryWorkingSetBytes ??
      1024 * 1024 + (rec.proc?.allocated ?? rec.allocated ?? 0);
    return {
      id,
      timestamp: now,
      cpuUsageNanoCores: running ? nanoCores : 0,
      cpuUsageCoreNanoSeconds: Math.round((ranMs * 1e6 * nanoCores) / 1e9),
      memoryWorkingSetBytes: running ? memory : 0,
    };
  }

  async execSync(id: string, cmd: readonly string[], timeoutSeconds?: number): Promise<ExecSyncResult> {
    await this.call('execSync');
    const out = { stdout: [] as string[], stderr: [] as string[] };
    const exitCode = await runExec(
      this.node.container(id),
      cmd,
      this.node.clock,
      { write: (s, t) => void out[s].push(t) },
      timeoutSeconds ? timeoutSeconds * 1000 : undefined,
    );
    return { stdout: Buffer.from(out.stdout.join('')), stderr: Buffer.from(out.stderr.join('')), exitCode };
  }

  async exec(id: string, cmd: readonly string[], streams: ExecStreams): Promise<number> {
    await this.call('exec');
    const { stdin, stdout, stderr } = streams;
    let input: Promise<string> | undefined;
    return runExec(this.node.container(id), cmd, this.node.clock, {
      write: (s, t) => void (s === 'stdout' ? stdout : stderr)?.write(t),
      ...(stdin ? { stdin: () => (input ??= readAll(stdin)), stdinStream: () => chunksOf(stdin) } : {}),
    });
  }

  /**
   * Attaches to the container's main process: its output from now on, and its stdin when it was
   * created with `stdin` (`cat` passes it on as it arrives; other commands read it once closed).
   */
  async attach(id: string, streams: AttachStreams): Promise<void> {
    await this.call('attach');
    const rec = this.node.container(id);
    const proc = rec.proc;
    if (rec.state !== 'CONTAINER_RUNNING' || proc === undefined || proc.done !== undefined) {
      throw new ApiError('Conflict', `container "${id}" is not running (state ${rec.state})`, {
        name: id,
        kind: 'Container',
      });
    }
    const { stdin, stdout, stderr, signal } = streams;
    const hub = hubOf(rec);
    const detach = hub.listen(
      (s, text) => void (s === 'stdout' || streams.tty ? stdout : stderr)?.write(text),
    );
    if (stdin !== undefined && rec.config.stdin) {
      stdin.on('data', (chunk: Buffer | string) => {
        hub.feed(chunk.toString());
      });
      // Without stdinOnce the process's stdin outlives the attach, as a runtime's does.
      if (rec.config.stdinOnce)
        stdin.on('end', () => {
          hub.close();
        });
    }
    try {
      await new Promise<void>((resolve) => {
        void proc.exited.then(() => {
          resolve();
        });
        if (signal?.aborted) resolve();
        signal?.addEventListener('abort', () => {
          resolve();
        });
      });
    } finally {
      detach();
    }
  }

  /** Pulls from the simulated registry (`pullable`); credentials are not checked. */
  async pullImage(image: string): Promise<string> {
    await this.call('pullImage');
    return this.node.pull(image);
  }

  async imageStatus(image: string): Promise<Image | undefined> {
    await this.call('imageStatus');
    return this.node.images.find(image)?.image;
  }

  async listImages(): Promise<Image[]> {
    await this.call('listImages');
    return this.node.images.list();
  }

  async removeImage(image: string): Promise<void> {
    await this.call('removeImage');
    this.node.images.remove(image);
  }

  /** Closes this client; the node and its containers keep running. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
