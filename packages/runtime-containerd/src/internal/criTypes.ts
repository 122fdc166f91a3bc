/**
 * The CRI `runtime.v1` messages as @grpc/proto-loader decodes them from `cri.proto` (camelCase
 * fields, enums as strings, 64-bit integers as decimal strings, defaults filled in). Only what Tugboat
 * reads or writes is typed; requests may leave fields out.
 */

/** Namespace sharing mode (CRI `NamespaceMode`). */
export type WireNamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';

/** CRI `PodSandboxMetadata`. */
export interface WirePodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

/** CRI `PodSandboxConfig` (the fields Tugboat sets). */
export interface WirePodSandboxConfig {
  metadata: WirePodSandboxMetadata;
  hostname?: string;
  logDirectory: string;
  dnsConfig?: { servers: string[]; searches: string[]; options: string[] };
  portMappings: { protocol: string; containerPort: number; hostPort: number; hostIp: string }[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux: {
    securityContext: {
      namespaceOptions: { network: WireNamespaceMode; pid: WireNamespaceMode; ipc: WireNamespaceMode };
    };
  };
}

/** CRI `PodSandbox`, as listed. */
export interface WirePodSandbox {
  id: string;
  metadata: WirePodSandboxMetadata | null;
  state: 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
  createdAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** CRI `PodSandboxStatus`. */
export interface WirePodSandboxStatus extends WirePodSandbox {
  network: { ip: string; additionalIps: { ip: string }[] } | null;
}

/** CRI `ContainerConfig` (the fields Tugboat sets). */
export interface WireContainerConfig {
  metadata: { name: string; attempt: number };
  image: { image: string };
  command: string[];
  args: string[];
  workingDir: string;
  envs: { key: string; value: string }[];
  mounts: { containerPath: string; hostPath: string; readonly: boolean }[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  linux: {
    resources: { cpuPeriod: number; cpuQuota: number; cpuShares: number; memoryLimitInBytes: number };
    securityContext: {
      namespaceOptions: { network: WireNamespaceMode; pid: WireNamespaceMode; ipc: WireNamespaceMode };
    };
  };
}

/** The CRI container states. */
export type WireContainerState =
  'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

/** CRI `Container`, as listed. */
export interface WireContainer {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number } | null;
  image: { image: string } | null;
  imageRef: string;
  state: WireContainerState;
  createdAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** CRI `ContainerStatus`. */
export interface WireContainerStatus {
  id: string;
  metadata: { name: string; attempt: number } | null;
  state: WireContainerState;
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  image: { image: string } | null;
  imageRef: string;
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logPath: string;
}

/** CRI `ContainerStats`. */
export interface WireContainerStats {
  attributes: { id: string } | null;
  cpu: {
    timestamp: string;
    usageCoreNanoSeconds: { value: string } | null;
    usageNanoCores: { value: string } | null;
  } | null;
  memory: { timestamp: string; workingSetBytes: { value: string } | null } | null;
}

/** CRI `Image`. */
export interface WireImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: string;
}

/** CRI `AuthConfig`. */
export interface WireAuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

/** Request and response shape of every CRI method Tugboat calls, by method name. */
export interface CriMethods {
  Version: [
    { version: string },
    { version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string },
  ];
  RunPodSandbox: [{ config: WirePodSandboxConfig; runtimeHandler?: string }, { podSandboxId: string }];
  StopPodSandbox: [{ podSandboxId: string }, Record<string, never>];
  RemovePodSandbox: [{ podSandboxId: string }, Record<string, never>];
  PodSandboxStatus: [{ podSandboxId: string; verbose?: boolean }, { status: WirePodSandboxStatus | null }];
  ListPodSandbox: [
    { filter?: { id?: string; state?: { state: string }; labelSelector?: Record<string, string> } },
    { items: WirePodSandbox[] },
  ];
  CreateContainer: [
    { podSandboxId: string; config: WireContainerConfig; sandboxConfig: WirePodSandboxConfig },
    { containerId: string },
  ];
  StartContainer: [{ containerId: string }, Record<string, never>];
  StopContainer: [{ containerId: string; timeout: number }, Record<string, never>];
  RemoveContainer: [{ containerId: string }, Record<string, never>];
  ListContainers: [
    {
      filter?: {
        id?: string;
        podSandboxId?: string;
        state?: { state: string };
        labelSelector?: Record<string, string>;
      };
    },
    { containers: WireContainer[] },
  ];
  ContainerStatus: [{ containerId: string; verbose?: boolean }, { status: WireContainerStatus | null }];
  ContainerStats: [{ containerId: string }, { stats: WireContainerStats | null }];
  ExecSync: [
    { containerId: string; cmd: string[]; timeout: number },
    { stdout: Buffer; stderr: Buffer; exitCode: number },
  ];
  Exec: [
    { containerId: string; cmd: string[]; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean },
    { url: string },
  ];
  Attach: [
    { containerId: string; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean },
    { url: string },
  ];
  ListImages: [{ filter?: { image: { image: string } } }, { images: WireImage[] }];
  ImageStatus: [{ image: { image: string }; verbose?: boolean }, { image: WireImage | null }];
  PullImage: [{ image: { image: string }; auth?: WireAuthConfig }, { imageRef: string }];
  RemoveImage: [{ image: { image: string } }, Record<string, never>];
}

/** A CRI method name Tugboat calls. */
export type CriMethod = keyof CriMethods;

/** The methods served by CRI's `ImageService`; the rest are `RuntimeService`'s. */
export const imageServiceMethods: ReadonlySet<CriMethod> = new Set<CriMethod>([
  'ListImages',
  'ImageStatus',
  'PullImage',
  'RemoveImage',
]);
