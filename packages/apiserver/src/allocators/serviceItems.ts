import type { corev1 } from '@tugboat/core';

import type { Ipv4Range } from './Ipv4Range.js';
import type { PortRange } from './PortRange.js';

/** The allocated items a stored Service uses: cluster IP offsets and NodePorts inside the ranges. */
export interface ServiceItems {
  readonly ips: number[];
  readonly ports: number[];
}

/** Reads which in-range cluster IPs (as offsets) and NodePorts a Service uses. */
export function serviceItems(
  svc: corev1.Service | undefined,
  ipRange: Ipv4Range,
  portRange: PortRange,
): ServiceItems {
  const ips = (svc?.spec?.clusterIPs ?? (svc?.spec?.clusterIP ? [svc.spec.clusterIP] : []))
    .map((ip) => ipRange.offsetOf(ip))
    .filter((o): o is number => o !== undefined);
  const ports = (svc?.spec?.ports ?? [])
    .map((p) => p.nodePort)
    .filter((p): p is number => p !== undefined && portRange.contains(p));
  return { ips: [...new Set(ips)], ports: [...new Set(ports)] };
}

/** Parses a stored Service, `undefined` for text that is not one. */
export function parseService(value: string | undefined): corev1.Service | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as corev1.Service;
  } catch {
    return undefined;
  }
}
