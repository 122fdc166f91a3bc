import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  ApiError,
  parseCriLog,
  type ContainerConfig,
  type ContainerState,
  type ContainerStatus,
  type CriLogLine,
  type PodSandboxConfig,
  type Runtime,
} from '@tugboat/core';

/** What a runtime package hands the conformance suite. */
export interface RuntimeConformanceSetup {
  readonly runtime: Runtime;
  /** Image references present in the runtime (see `buildImages`): busybox, and the sandbox image. */
  readonly images: { readonly busybox: string; readonly pause?: string };
  /** A new client on the same daemon, to check that state survives a client reconnect. */
  readonly reconnect?: () => Promise<Runtime>;
  /** Called once after the last case (stop daemons, remove files). */
  readonly cleanup?: () => Promise<void>;
}

/** Creates the runtime under test; called once per suite. */
export type RuntimeConformanceFactory = () => Promise<RuntimeConformanceSetup>;

/** Options of one container made by the harness. */
export interface HarnessContainerOptions {
  readonly name?: string;
  readonly attempt?: number;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly workingDir?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly memoryLimitBytes?: number;
  /** Open the main process's stdin for attach, closed when the first attach ends (`stdinOnce`). */
  readonly stdin?: boolean;
}

/** A sandbox made by the harness, with the config its containers need. */
export interface HarnessSandbox {
  readonly id: string;
  readonly config: PodSandboxConfig;
}

/** Default deadline for waits on a real runtime; generous because CI machines are slow. */
export const defaultWaitMs = 30_000;

/**
 * The conformance suite's toolkit around one runtime: makes uniquely named sandboxes and containers,
 * waits by polling with a deadline, reads CRI log files, and removes everything a case made.
 */
export class RuntimeHarness {
  private readonly sandboxes = new Set<string>();
  private readonly dirs = new Set<string>();
  private seq = 0;
  private readonly run = randomBytes(3).toString('hex');

  constructor(readonly setup: RuntimeConformanceSetup) {}

  get runtime(): Runtime {
    return this.setup.runtime;
  }

  get busybox(): string {
    return this.setup.images.busybox;
  }

  /** A unique name for this suite run. */
  unique(prefix: string): string {
    return `${prefix}-${this.run}-${++this.seq}`;
  }

  /** Creates a host-network sandbox with its own log directory. */
  async sandbox(
    extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
  ): Promise<HarnessSandbox> {
    const logDirectory = await mkdtemp(path.join(os.tmpdir(), 'tug-conformance-'));
    this.dirs.add(logDirectory);
    const name = this.unique('pod');
    const config: PodSandboxConfig = {
      metadata: { name, uid: `uid-${name}`, namespace: 'conformance', attempt: 0 },
      logDirectory,
      hostNetwork: true,
      labels: { 'tugboat.io/conformance': this.run, ...extra.labels },
      annotations: { 'tugboat.io/suite': 'runtime', ...extra.annotations },
    };
    const id = await this.runtime.runPodSandbox(config);
    this.sandboxes.add(id);
    return { id, config };
  }

  /** The container config the harness builds from `options`. */
  containerConfig(options: HarnessContainerOptions): ContainerConfig {
    const name = options.name ?? this.unique('c');
    const attempt = options.attempt ?? 0;
    return {
      metadata: { name, attempt },
      image: options.image ?? this.busybox,
      ...(options.command ? { command: options.command } : {}),
      ...(options.args ? { args: options.args } : {}),
      ...(options.workingDir ? { workingDir: options.workingDir } : {}),
      envs: Object.entries(options.env ?? {}).map(([key, value]) => ({ key, value })),
      labels: { ...options.labels },
      annotations: { ...options.annotations },
      logPath: `${name}/${attempt}.log`,
      ...(options.memoryLimitBytes ? { resources: { memoryLimitBytes: options.memoryLimitBytes } } : {}),
      ...(options.stdin ? { stdin: true, stdinOnce: true } : {}),
    };
  }

  /** Creates a container in `sandbox`. */
  async create(sandbox: HarnessSandbox, options: HarnessContainerOptions): Promise<string> {
    return this.runtime.createContainer(sandbox.id, this.containerConfig(options), sandbox.config);
  }

  /** Creates and starts a container in `sandbox`. */
  async start(sandbox: HarnessSandbox, options: HarnessContainerOptions): Promise<string> {
    const id = await this.create(sandbox, options);
    await this.runtime.startContainer(id);
    return id;
  }

  /** Runs a container to its end and returns its final status. */
  async runToExit(sandbox: HarnessSandbox, options: HarnessContainerOptions): Promise<ContainerStatus> {
    return this.waitForState(await this.start(sandbox, options), 'CONTAINER_EXITED');
  }

  /** Polls the container's status until it is in `state`. */
  async waitForState(id: string, state: ContainerState, timeoutMs = defaultWaitMs): Promise<ContainerStatus> {
    let last: ContainerStatus | undefined;
    await this.waitFor(
      `container ${id} to reach ${state} (last: ${last?.state ?? 'none'})`,
      async () => {
        last = await this.runtime.containerStatus(id);
        return last.state === state;
      },
      timeoutMs,
    );
    return last as ContainerStatus;
  }

  /** Reads the CRI log of a container; [] while the file does not exist yet. */
  async logLines(id: string): Promise<CriLogLine[]> {
    const status = await this.runtime.containerStatus(id);
    const text = await readFile(status.logPath, 'utf8').catch(() => '');
    return parseCriLog(text);
  }

  /** Polls the container's log until `predicate` holds; returns the lines. */
  async waitForLog(
    id: string,
    predicate: (lines: CriLogLine[]) => boolean,
    timeoutMs = defaultWaitMs,
  ): Promise<CriLogLine[]> {
    let lines: CriLogLine[] = [];
    await this.waitFor(`log of ${id}`, async () => predicate((lines = await this.logLines(id))), timeoutMs);
    return lines;
  }

  /** Polls `check` every 50 ms until it is true; fails with `what` after `timeoutMs`. */
  async waitFor(
    what: string,
    check: () => Promise<boolean> | boolean,
    timeoutMs = defaultWaitMs,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check()) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The error a promise rejects with; fails when it resolves. */
  async errorOf(promise: Promise<unknown>): Promise<ApiError> {
    try {
      await promise;
    } catch (err) {
      if (ApiError.is(err)) return err;
      throw new Error(`expected an ApiError, got ${String(err)}`, { cause: err });
    }
    throw new Error('expected the call to fail, but it succeeded');
  }

  /** Removes every sandbox (and so every container) the harness made. */
  async cleanup(): Promise<void> {
    for (const id of this.sandboxes) {
      await this.runtime.removePodSandbox(id).catch(() => undefined);
    }
    this.sandboxes.clear();
    for (const dir of this.dirs) await rm(dir, { recursive: true, force: true });
    this.dirs.clear();
  }
}
