import type { Observable } from 'rxjs';

import { token } from '../di/token.js';

/** Metadata identifying a pod sandbox (CRI `PodSandboxMetadata`). */
export interface PodSandboxMetadata {
  readonly name: string;
  readonly uid: string;
  readonly namespace: string;
  readonly attempt: number;
}

/** A port a sandbox publishes (CRI `PortMapping`). */
export interface PortMapping {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly containerPort: number;
  readonly hostPort?: number;
  readonly hostIp?: string;
}

/**
 * The resolver configuration of a sandbox (CRI `DNSConfig`): what the runtime writes into the
 * pod's `/etc/resolv.conf`. All three empty means the runtime's default (the host's file).
 */
export interface PodDnsConfig {
  /** Nameserver addresses, in order (at most 3 are honoured by resolvers). */
  readonly servers: readonly string[];
  /** Search domains, in order. */
  readonly searches: readonly string[];
  /** Resolver options as written on the `options` line (`ndots:5`, `edns0`). */
  readonly options: readonly string[];
}

/** How a sandbox is created (CRI `PodSandboxConfig`, the part Tugboat uses). */
export interface PodSandboxConfig {
  readonly metadata: PodSandboxMetadata;
  readonly hostname?: string;
  readonly logDirectory: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly portMappings?: readonly PortMapping[];
  /** Share the node's network namespace instead of a pod network. */
  readonly hostNetwork?: boolean;
  /** Nameservers only; the older shorthand of {@link PodSandboxConfig.dnsConfig}, which wins when both are set. */
  readonly dnsServers?: readonly string[];
  /** The pod's resolver configuration, as the kubelet computes it from `spec.dnsPolicy`. */
  readonly dnsConfig?: PodDnsConfig;
}

/** The CRI sandbox states. */
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

/** A sandbox as listed. */
export interface PodSandbox {
  readonly id: string;
  readonly metadata: PodSandboxMetadata;
  readonly state: PodSandboxState;
  readonly createdAt: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A sandbox's status, with its network address. */
export interface PodSandboxStatus extends PodSandbox {
  readonly ip?: string;
}

/** Filter for sandbox lists; every given field must match. */
export interface PodSandboxFilter {
  readonly id?: string;
  readonly state?: PodSandboxState;
  readonly labelSelector?: Readonly<Record<string, string>>;
}

/** A mount of a host path into a container. */
export interface Mount {
  readonly containerPath: string;
  readonly hostPath: string;
  readonly readonly?: boolean;
}

/** Resource limits for a container (CRI `LinuxContainerResources`). */
export interface ContainerResources {
  readonly cpuShares?: number;
  readonly cpuQuota?: number;
  readonly cpuPeriod?: number;
  readonly memoryLimitBytes?: number;
}

/** Metadata identifying a container in its sandbox. */
export interface ContainerMetadata {
  readonly name: string;
  readonly attempt: number;
}

/** How a container is created (CRI `ContainerConfig`, the part Tugboat uses). */
export interface ContainerConfig {
  readonly metadata: ContainerMetadata;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly workingDir?: string;
  readonly envs?: readonly { readonly key: string; readonly value: string }[];
  readonly mounts?: readonly Mount[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Relative to the sandbox's log directory. */
  readonly logPath: string;
  readonly stdin?: boolean;
  /** Close the main process's stdin when the first attach that fed it ends (`stdinOnce`). */
  readonly stdinOnce?: boolean;
  readonly tty?: boolean;
  readonly resources?: ContainerResources;
}

/** The CRI container states. */
export type ContainerState =
  'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

/** A container as listed. */
export interface Container {
  readonly id: string;
  readonly podSandboxId: string;
  readonly metadata: ContainerMetadata;
  readonly image: string;
  readonly imageRef: string;
  readonly state: ContainerState;
  readonly createdAt: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * A container's full status. Times are milliseconds since the epoch; 0 = not yet.
 *
 * Once the container has exited, `reason` is `Completed` (exit code 0), `Error` (any other code) or
 * `OOMKilled` (the kernel killed it for exceeding `resources.memoryLimitBytes`), as in CRI.
 */
export interface ContainerStatus extends Container {
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Meaningful once exited; a process ended by a signal reports 128 + the signal (SIGKILL: 137). */
  readonly exitCode: number;
  /** `OOMKilled`, `Error`, `Completed`, … */
  readonly reason?: string;
  readonly message?: string;
  /**
   * Absolute path of the container's log file: the sandbox's `logDirectory` joined with the
   * config's `logPath`. Every line is in CRI log format, see {@link formatCriLogLine}.
   */
  readonly logPath: string;
}

/** Filter for container lists; every given field must match. */
export interface ContainerFilter {
  readonly id?: string;
  readonly podSandboxId?: string;
  readonly state?: ContainerState;
  readonly labelSelector?: Readonly<Record<string, string>>;
}

/** Resource usage of one container. */
export interface ContainerStats {
  readonly id: string;
  /** When the sample was taken, milliseconds since the epoch. */
  readonly timestamp: number;
  /** CPU usage averaged over the last sample period, in nanocores (1e9 = one core), when known. */
  readonly cpuUsageNanoCores?: number;
  /** Cumulative CPU time in nanoseconds. */
  readonly cpuUsageCoreNanoSeconds: number;
  readonly memoryWorkingSetBytes: number;
}

/** Result of a synchronous exec. */
export interface ExecSyncResult {
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  readonly exitCode: number;
}

/** Streams of an interactive exec. */
export interface ExecStreams {
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  readonly tty?: boolean;
}

/** Streams of an attach: as an exec's, and a signal that detaches (the container keeps running). */
export interface AttachStreams extends ExecStreams {
  readonly signal?: AbortSignal;
}

/** An image known to the runtime. */
export interface Image {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  readonly size: number;
}

/** Registry credentials for a pull. */
export interface AuthConfig {
  readonly username?: string;
  readonly password?: string;
  readonly auth?: string;
  readonly serverAddress?: string;
  readonly identityToken?: string;
  readonly registryToken?: string;
}

/** The kinds of {@link ContainerEvent}. */
export type ContainerEventType = 'created' | 'started' | 'exited' | 'deleted';

/**
 * A lifecycle event of a container, in the order the runtime saw them. Per container the order is
 * always `created` → `started` → `exited` → `deleted` (a container removed before it started skips
 * the middle two).
 */
export interface ContainerEvent {
  readonly type: ContainerEventType;
  readonly containerId: string;
  readonly podSandboxId: string;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  /** On `exited`: the exit code, when the runtime reports it with the event. */
  readonly exitCode?: number;
}

/**
 * The container runtime, shaped like CRI's RuntimeService and ImageService so that node-agent
 * logic is written once for containerd, Docker and the simulation.
 *
 * Rules every implementation keeps (the conformance suite in `@tugboat/testing` checks them):
 * - Every call has a deadline; a daemon that is down or too slow yields `Unavailable` or `Timeout`.
 * - Errors are {@link ApiError}s, never a raw gRPC/HTTP/library error: `NotFound` for an unknown
 *   sandbox or container id, `ImagePull` (with {@link imagePullReason}) for an image that is missing,
 *   cannot be pulled or is not a valid reference.
 * - `remove*` calls are idempotent: removing what is already gone resolves. `stop*` on something
 *   already stopped resolves.
 * - Image references are normalised as CRI does (`busybox:1.35` is `docker.io/library/busybox:1.35`).
 */
export interface Runtime {
  readonly name: string;
  version(): Promise<{ runtimeName: string; runtimeVersion: string }>;

  /** Creates and starts a sandbox (the pod's shared namespaces); resolves with its id. */
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops the sandbox and every container in it (forcibly); the sandbox becomes `SANDBOX_NOTREADY`. */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes the sandbox and every container in it, running or not. Idempotent. */
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandbox[]>;

  /**
   * Creates a container in a sandbox; resolves with its id. The image must be present
   * (`ImagePull` with reason `NotFound` otherwise): the runtime never pulls implicitly here.
   */
  createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string>;
  startContainer(id: string): Promise<void>;
  /**
   * SIGTERM, then SIGKILL after `timeoutSeconds`; resolves once the container has exited. A
   * container that is not running resolves at once.
   */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  /** Removes a container, killing it first if it runs. Idempotent. */
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<ContainerStatus>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  containerStats(id: string): Promise<ContainerStats>;
  /**
   * Runs a command in a running container and collects its output. When `timeoutSeconds` (> 0)
   * passes first, rejects with `Timeout`.
   */
  execSync(id: string, cmd: readonly string[], timeoutSeconds?: number): Promise<ExecSyncResult>;
  /** Interactive exec; resolves with the exit code once the command has ended and its output is written. */
  exec(id: string, cmd: readonly string[], streams: ExecStreams): Promise<number>;
  /**
   * Attaches to a running container's main process (CRI `Attach`): what it writes from now on goes
   * to `stdout`/`stderr`, and `stdin` feeds it when the container was created with `stdin`.
   * Resolves when the container exits or `signal` detaches; `Conflict` when it is not running.
   * Optional: without it the kubelet refuses `kubectl attach` with a `BadRequest` naming the runtime.
   */
  attach?(id: string, streams: AttachStreams): Promise<void>;

  /** Pulls an image; resolves with its image ref (id). Failures are `ImagePull`. */
  pullImage(image: string, auth?: AuthConfig): Promise<string>;
  /** The image, or `undefined` when it is not present. */
  imageStatus(image: string): Promise<Image | undefined>;
  listImages(): Promise<Image[]>;
  /** Removes an image. Idempotent. */
  removeImage(image: string): Promise<void>;

  /** Hot stream of container lifecycle events, in order per container. */
  readonly events: Observable<ContainerEvent>;
  /** Releases connections and timers; the runtime's containers keep running. */
  close(): Promise<void>;
}

/** Inversify token for the {@link Runtime}. */
export const Runtime = token<Runtime>('core/Runtime');
