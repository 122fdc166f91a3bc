import { join } from 'node:path';

import type Docker from 'dockerode';
import type { ContainerConfig, PodSandboxConfig } from '@tugboat/core';

import { encodeUserLabels, labelKeys, runtimeLabelValue } from './labels.js';

// Docker container names follow dockershim's scheme, so `docker ps` reads like a kubelet node's.
function podSuffix(sandbox: PodSandboxConfig): string {
  return `${podName(sandbox)}_${sandbox.metadata.attempt}`;
}

function podName(sandbox: PodSandboxConfig): string {
  const m = sandbox.metadata;
  return `${m.name}_${m.namespace}_${m.uid}`;
}

function podLabels(sandbox: PodSandboxConfig): Record<string, string> {
  const m = sandbox.metadata;
  return {
    [labelKeys.runtime]: runtimeLabelValue,
    [labelKeys.podName]: m.name,
    [labelKeys.podUid]: m.uid,
    [labelKeys.podNamespace]: m.namespace,
    [labelKeys.podAttempt]: String(m.attempt),
    [labelKeys.createdAt]: String(Date.now()),
  };
}

/** The Engine's create options for a sandbox: a pause container that owns the pod's namespaces. */
export function sandboxSpec(config: PodSandboxConfig, pauseImage: string): Docker.ContainerCreateOptions {
  const hostNetwork = config.hostNetwork === true;
  const ports = hostNetwork ? [] : (config.portMappings ?? []);
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostPort: string; HostIp?: string }[]> = {};
  for (const p of ports) {
    const key = `${p.containerPort}/${p.protocol.toLowerCase()}`;
    exposed[key] = {};
    if (p.hostPort !== undefined && p.hostPort > 0) {
      (bindings[key] ??= []).push({
        HostPort: String(p.hostPort),
        ...(p.hostIp ? { HostIp: p.hostIp } : {}),
      });
    }
  }
  return {
    name: `k8s_POD_${podSuffix(config)}`,
    Image: pauseImage,
    // Host-network pods must not set a hostname: there is no private UTS namespace to set it in.
    ...(!hostNetwork && config.hostname ? { Hostname: config.hostname } : {}),
    Labels: {
      ...podLabels(config),
      [labelKeys.kind]: 'sandbox',
      [labelKeys.logDirectory]: config.logDirectory,
      [labelKeys.hostNetwork]: String(hostNetwork),
      ...encodeUserLabels(config.labels, config.annotations),
    },
    ExposedPorts: exposed,
    HostConfig: {
      NetworkMode: hostNetwork ? 'host' : 'bridge',
      IpcMode: 'shareable',
      PortBindings: bindings,
      ...dnsHostConfig(config),
      RestartPolicy: { Name: 'no' },
    },
  };
}

// App containers join the sandbox's network namespace and with it its resolv.conf, so the
// sandbox alone carries the pod's DNS settings; empty fields keep Docker's default (the host's).
function dnsHostConfig(
  config: PodSandboxConfig,
): Pick<Docker.HostConfig, 'Dns' | 'DnsSearch' | 'DnsOptions'> {
  const dns = config.dnsConfig ?? { servers: config.dnsServers ?? [], searches: [], options: [] };
  return {
    ...(dns.servers.length ? { Dns: [...dns.servers] } : {}),
    ...(dns.searches.length ? { DnsSearch: [...dns.searches] } : {}),
    ...(dns.options.length ? { DnsOptions: [...dns.options] } : {}),
  };
}

/** The absolute log path of a container: the sandbox's log directory joined with the config's path. */
export function containerLogPath(config: ContainerConfig, sandbox: PodSandboxConfig): string {
  return join(sandbox.logDirectory, config.logPath);
}

/**
 * The Engine's create options for an app container that joins the sandbox's network, IPC and PID
 * namespaces. Kubernetes' `command` replaces the image entrypoint and `args` its cmd, which is
 * exactly Docker's Entrypoint/Cmd override rule.
 */
export function containerSpec(
  sandboxId: string,
  config: ContainerConfig,
  sandbox: PodSandboxConfig,
  image: string,
): Docker.ContainerCreateOptions {
  const r = config.resources ?? {};
  const hostNetwork = sandbox.hostNetwork === true;
  return {
    name: `k8s_${config.metadata.name}_${podName(sandbox)}_${config.metadata.attempt}`,
    Image: image,
    ...(config.command?.length ? { Entrypoint: [...config.command] } : {}),
    ...(config.args?.length ? { Cmd: [...config.args] } : {}),
    ...(config.workingDir ? { WorkingDir: config.workingDir } : {}),
    Env: (config.envs ?? []).map((e) => `${e.key}=${e.value}`),
    Tty: config.tty === true,
    OpenStdin: config.stdin === true,
    StdinOnce: config.stdinOnce === true,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Labels: {
      ...podLabels(sandbox),
      [labelKeys.kind]: 'container',
      [labelKeys.sandboxId]: sandboxId,
      [labelKeys.containerName]: config.metadata.name,
      [labelKeys.containerAttempt]: String(config.metadata.attempt),
      [labelKeys.logPath]: containerLogPath(config, sandbox),
      [labelKeys.image]: image,
      ...encodeUserLabels(config.labels, config.annotations),
    },
    HostConfig: {
      NetworkMode: hostNetwork ? 'host' : `container:${sandboxId}`,
      // On the host network each container has its own resolv.conf; otherwise it is the sandbox's.
      ...(hostNetwork ? dnsHostConfig(sandbox) : {}),
      IpcMode: `container:${sandboxId}`,
      PidMode: `container:${sandboxId}`,
      Binds: (config.mounts ?? []).map((m) => `${m.hostPath}:${m.containerPath}${m.readonly ? ':ro' : ''}`),
      RestartPolicy: { Name: 'no' },
      ...(r.memoryLimitBytes ? { Memory: r.memoryLimitBytes, MemorySwap: r.memoryLimitBytes } : {}),
      ...(r.cpuShares ? { CpuShares: r.cpuShares } : {}),
      ...(r.cpuQuota ? { CpuQuota: r.cpuQuota } : {}),
      ...(r.cpuPeriod ? { CpuPeriod: r.cpuPeriod } : {}),
    },
  };
}
