import {
  normalizeImageRef,
  type AuthConfig,
  type Container,
  type ContainerConfig,
  type ContainerStats,
  type ContainerStatus,
  type Image,
  type PodSandbox,
  type PodSandboxConfig,
  type PodSandboxStatus,
} from '@tugboat/core';

import type {
  WireAuthConfig,
  WireContainer,
  WireContainerConfig,
  WireContainerStats,
  WireContainerStatus,
  WireImage,
  WirePodSandbox,
  WirePodSandboxConfig,
  WirePodSandboxStatus,
} from './criTypes.js';

/** CRI times are nanoseconds since the epoch (as decimal strings); the contract uses milliseconds. */
export function nanosToMillis(ns: string | undefined): number {
  if (!ns || ns === '0') return 0;
  return Number(BigInt(ns) / 1_000_000n);
}

function toNumber(value: string | undefined | null): number {
  return value ? Number(value) : 0;
}

/** The contract's sandbox config as CRI wants it: host-network pods share the node's namespace and get no hostname. */
export function toWireSandboxConfig(config: PodSandboxConfig): WirePodSandboxConfig {
  const hostNetwork = config.hostNetwork === true;
  return {
    metadata: { ...config.metadata },
    // runc cannot set a hostname without a private UTS namespace, which host-network pods do not get.
    ...(hostNetwork || config.hostname === undefined ? {} : { hostname: config.hostname }),
    logDirectory: config.logDirectory,
    ...wireDnsConfig(config),
    portMappings: (config.portMappings ?? []).map((p) => ({
      protocol: p.protocol,
      containerPort: p.containerPort,
      hostPort: p.hostPort ?? 0,
      hostIp: p.hostIp ?? '',
    })),
    labels: { ...config.labels },
    annotations: { ...config.annotations },
    linux: { securityContext: { namespaceOptions: namespaces(hostNetwork) } },
  };
}

// Without a dns_config containerd copies the host's resolv.conf, the runtime default CRI asks for.
function wireDnsConfig(config: PodSandboxConfig): Pick<WirePodSandboxConfig, 'dnsConfig'> {
  const dns = config.dnsConfig ?? { servers: config.dnsServers ?? [], searches: [], options: [] };
  if (dns.servers.length + dns.searches.length + dns.options.length === 0) return {};
  return { dnsConfig: { servers: [...dns.servers], searches: [...dns.searches], options: [...dns.options] } };
}

function namespaces(
  hostNetwork: boolean,
): WirePodSandboxConfig['linux']['securityContext']['namespaceOptions'] {
  // PID CONTAINER is Kubernetes' default (shareProcessNamespace: false); IPC is shared across the pod.
  return { network: hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' };
}

/** The contract's container config as CRI wants it. */
export function toWireContainerConfig(
  config: ContainerConfig,
  sandbox: PodSandboxConfig,
): WireContainerConfig {
  const r = config.resources ?? {};
  return {
    metadata: { ...config.metadata },
    image: { image: config.image },
    command: [...(config.command ?? [])],
    args: [...(config.args ?? [])],
    workingDir: config.workingDir ?? '',
    envs: (config.envs ?? []).map((e) => ({ key: e.key, value: e.value })),
    mounts: (config.mounts ?? []).map((m) => ({
      containerPath: m.containerPath,
      hostPath: m.hostPath,
      readonly: m.readonly === true,
    })),
    labels: { ...config.labels },
    annotations: { ...config.annotations },
    logPath: config.logPath,
    stdin: config.stdin === true,
    stdinOnce: config.stdinOnce === true,
    tty: config.tty === true,
    linux: {
      resources: {
        cpuPeriod: r.cpuPeriod ?? 0,
        cpuQuota: r.cpuQuota ?? 0,
        cpuShares: r.cpuShares ?? 0,
        memoryLimitInBytes: r.memoryLimitBytes ?? 0,
      },
      securityContext: { namespaceOptions: namespaces(sandbox.hostNetwork === true) },
    },
  };
}

/** A listed CRI sandbox in the contract's shape. */
export function fromWireSandbox(s: WirePodSandbox): PodSandbox {
  return {
    id: s.id,
    metadata: {
      name: s.metadata?.name ?? '',
      uid: s.metadata?.uid ?? '',
      namespace: s.metadata?.namespace ?? '',
      attempt: s.metadata?.attempt ?? 0,
    },
    state: s.state,
    createdAt: nanosToMillis(s.createdAt),
    labels: { ...s.labels },
    annotations: { ...s.annotations },
  };
}

/** A CRI sandbox status in the contract's shape; host-network sandboxes have no pod IP. */
export function fromWireSandboxStatus(s: WirePodSandboxStatus): PodSandboxStatus {
  const ip = s.network?.ip;
  return { ...fromWireSandbox(s), ...(ip ? { ip } : {}) };
}

/** A listed CRI container in the contract's shape. */
export function fromWireContainer(c: WireContainer): Container {
  return {
    id: c.id,
    podSandboxId: c.podSandboxId,
    metadata: { name: c.metadata?.name ?? '', attempt: c.metadata?.attempt ?? 0 },
    image: displayImage(c.image?.image ?? ''),
    imageRef: c.imageRef,
    state: c.state,
    createdAt: nanosToMillis(c.createdAt),
    labels: { ...c.labels },
    annotations: { ...c.annotations },
  };
}

/** containerd lists a container's image as the caller spelled it; the contract wants it normalised. */
function displayImage(image: string): string {
  if (image === '' || image.startsWith('sha256:')) return image;
  try {
    return normalizeImageRef(image);
  } catch {
    return image;
  }
}

/** A CRI container status in the contract's shape; `podSandboxId` is not part of CRI's status. */
export function fromWireContainerStatus(s: WireContainerStatus, podSandboxId: string): ContainerStatus {
  const startedAt = nanosToMillis(s.startedAt);
  const finishedAt = nanosToMillis(s.finishedAt);
  return {
    id: s.id,
    podSandboxId,
    metadata: { name: s.metadata?.name ?? '', attempt: s.metadata?.attempt ?? 0 },
    image: s.image?.image ?? '',
    imageRef: s.imageRef,
    state: s.state,
    createdAt: nanosToMillis(s.createdAt),
    startedAt,
    // containerd stamps the start after runc returns but the exit when the shim saw it, so a process
    // that ends at once can finish "before" it started.
    finishedAt: finishedAt > 0 ? Math.max(finishedAt, startedAt) : 0,
    exitCode: s.exitCode,
    ...(s.reason ? { reason: s.reason } : {}),
    ...(s.message ? { message: s.message } : {}),
    labels: { ...s.labels },
    annotations: { ...s.annotations },
    logPath: s.logPath,
  };
}

/** CRI stats in the contract's shape. */
export function fromWireStats(id: string, s: WireContainerStats | null): ContainerStats {
  const nanoCores = s?.cpu?.usageNanoCores?.value;
  const timestamp = nanosToMillis(s?.cpu?.timestamp || s?.memory?.timestamp);
  return {
    id,
    timestamp: timestamp || Date.now(),
    ...(nanoCores !== undefined ? { cpuUsageNanoCores: Number(nanoCores) } : {}),
    cpuUsageCoreNanoSeconds: toNumber(s?.cpu?.usageCoreNanoSeconds?.value),
    memoryWorkingSetBytes: toNumber(s?.memory?.workingSetBytes?.value),
  };
}

/** A CRI image in the contract's shape. */
export function fromWireImage(i: WireImage): Image {
  return { id: i.id, repoTags: [...i.repoTags], repoDigests: [...i.repoDigests], size: toNumber(i.size) };
}

/** Registry credentials as CRI wants them. */
export function toWireAuth(a: AuthConfig): WireAuthConfig {
  const out: WireAuthConfig = {};
  if (a.username !== undefined) out.username = a.username;
  if (a.password !== undefined) out.password = a.password;
  if (a.auth !== undefined) out.auth = a.auth;
  // containerd parses it as a URL and compares its host with the registry's: a bare `host:port`
  // (how docker config files and the kubelet name registries) would fail to parse.
  if (a.serverAddress !== undefined && a.serverAddress !== '') {
    out.serverAddress = /^[a-z][a-z0-9+.-]*:\/\//i.test(a.serverAddress)
      ? a.serverAddress
      : `https://${a.serverAddress}`;
  }
  if (a.identityToken !== undefined) out.identityToken = a.identityToken;
  if (a.registryToken !== undefined) out.registryToken = a.registryToken;
  return out;
}
