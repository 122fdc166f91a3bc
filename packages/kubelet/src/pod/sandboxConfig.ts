import type { PodDnsConfig, PodSandboxConfig, PortMapping, corev1 } from '@tugboat/core';

import { podLogDir } from '../internal/paths.js';
import { podLabels, runtimeLabels } from './runtimeLabels.js';

/** The sandbox config of a pod: labels, hostname, log directory, host ports, host network, DNS. */
export function sandboxConfig(
  pod: corev1.Pod,
  rootDir: string,
  attempt: number,
  dnsConfig?: PodDnsConfig,
): PodSandboxConfig {
  const m = pod.metadata ?? {};
  const ports: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? [])
    for (const p of c.ports ?? [])
      if (p.hostPort)
        ports.push({
          protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'],
          containerPort: p.containerPort,
          hostPort: p.hostPort,
          ...(p.hostIP ? { hostIp: p.hostIP } : {}),
        });
  return {
    metadata: { name: m.name ?? '', namespace: m.namespace ?? 'default', uid: m.uid ?? '', attempt },
    hostname: pod.spec?.hostname ?? m.name ?? '',
    logDirectory: podLogDir(rootDir, pod),
    labels: podLabels(pod),
    annotations: {
      [runtimeLabels.terminationGracePeriod]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
    },
    ...(ports.length > 0 ? { portMappings: ports } : {}),
    ...(pod.spec?.hostNetwork ? { hostNetwork: true } : {}),
    ...(dnsConfig ? { dnsConfig } : {}),
  };
}
