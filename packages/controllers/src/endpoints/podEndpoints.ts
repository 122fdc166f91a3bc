import { selectorFromSet, type corev1 } from '@tugboat/core';

import { isPodReady } from '../internal/podUtil.js';

/** The port of an endpoint, as both Endpoints and EndpointSlice spell it. */
export interface EndpointPortInfo {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** One pod behind a Service: its address, readiness and the Service ports it serves. */
export interface PodEndpoint {
  readonly pod: corev1.Pod;
  readonly ip: string;
  /** Counts as ready: Ready and not terminating, or the Service publishes not-ready addresses. */
  readonly ready: boolean;
  /** The pod's own Ready condition, whether or not it is terminating. */
  readonly serving: boolean;
  readonly terminating: boolean;
  /** The Service ports this pod serves, named targetPorts resolved against its containers. */
  readonly ports: EndpointPortInfo[];
}

/** Whether the Service's endpoints are computed by the controllers (it has a selector). */
export function hasSelector(svc: corev1.Service): boolean {
  return Object.keys(svc.spec?.selector ?? {}).length > 0;
}

/**
 * The endpoints of a Service among `pods` (upstream `podToEndpointAddressForService` and
 * `findPort`): pods its selector matches that have an IP and have not finished; a named
 * targetPort resolves per pod against its container ports, and a pod lacking it does not serve
 * that port.
 */
export function podEndpoints(svc: corev1.Service, pods: readonly corev1.Pod[]): PodEndpoint[] {
  const selector = selectorFromSet(svc.spec?.selector ?? {});
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const out: PodEndpoint[] = [];
  for (const pod of pods) {
    if (!selector.matches(pod.metadata?.labels)) continue;
    const ip = pod.status?.podIP;
    if (!ip || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
    const terminating = Boolean(pod.metadata?.deletionTimestamp);
    const serving = isPodReady(pod);
    const ports: EndpointPortInfo[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPortInfo = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      ports.push(ep);
    }
    out.push({ pod, ip, ready: publishNotReady || (serving && !terminating), serving, terminating, ports });
  }
  return out.sort(
    (a, b) =>
      a.ip.localeCompare(b.ip) || (a.pod.metadata?.name ?? '').localeCompare(b.pod.metadata?.name ?? ''),
  );
}

function resolveTargetPort(pod: corev1.Pod, sp: corev1.ServicePort): number | undefined {
  const target = sp.targetPort;
  if (target === undefined || target === '') return sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const p = c.ports?.find((x) => x.name === target && (x.protocol ?? 'TCP') === protocol);
    if (p !== undefined) return p.containerPort;
  }
  return undefined;
}

/** A stable key for a set of ports, to group endpoints that serve the same ports. */
export function portsKey(ports: readonly EndpointPortInfo[]): string {
  return JSON.stringify(
    [...ports].map((p) => [p.name ?? '', p.port, p.protocol, p.appProtocol ?? '']).sort(),
  );
}
