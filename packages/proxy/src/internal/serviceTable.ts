import { isIP } from 'node:net';

import type { corev1, discoveryv1 } from '@tugboat/core';

import { endpointKey, type Endpoint } from './EndpointPicker.js';

/** What one listener serves: a service port on one address, and where it forwards to. */
export interface ServicePortEntry {
  /** `TCP/127.10.0.5:80`: the listener's identity. */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  /** `namespace/name` of the Service. */
  readonly service: string;
  /** The service port's name, or its number when unnamed (the metrics label). */
  readonly portLabel: string;
  /** ClientIP affinity timeout in ms, when the Service asks for affinity. */
  readonly affinityMs?: number;
  readonly endpoints: readonly Endpoint[];
}

/** The label EndpointSlices carry to name their Service. */
export const serviceNameLabel = 'kubernetes.io/service-name';

function readyEndpoints(
  slices: readonly discoveryv1.EndpointSlice[],
  portName: string,
  protocol: string,
): Endpoint[] {
  const out = new Map<string, Endpoint>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const port = (slice.ports ?? []).find(
      (p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol,
    )?.port;
    if (port === undefined) continue;
    for (const e of slice.endpoints) {
      // A missing `ready` means ready, as upstream's consumers read it.
      if (e.conditions?.ready === false) continue;
      const address = e.addresses[0];
      if (address === undefined) continue;
      const ep = { address, port };
      out.set(endpointKey(ep), ep);
    }
  }
  return [...out.values()].sort((a, b) => (endpointKey(a) < endpointKey(b) ? -1 : 1));
}

/**
 * The listeners a node's proxy needs: every TCP/UDP port of every Service with an IPv4 cluster IP
 * on that IP, and NodePorts (NodePort and LoadBalancer Services) on the node's address, each with
 * the ready endpoints of the EndpointSlices labelled with the Service's name.
 */
export function serviceTable(
  services: readonly corev1.Service[],
  slicesOf: (namespace: string, name: string) => readonly discoveryv1.EndpointSlice[],
  nodeAddress: string | undefined,
): Map<string, ServicePortEntry> {
  const table = new Map<string, ServicePortEntry>();
  for (const svc of services) {
    const spec = svc.spec;
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    if (!spec || spec.type === 'ExternalName') continue;
    const clusterIp = spec.clusterIP && isIP(spec.clusterIP) === 4 ? spec.clusterIP : undefined;
    const slices = slicesOf(ns, name);
    const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800;
    const affinity = spec.sessionAffinity === 'ClientIP' ? { affinityMs: timeout * 1000 } : {};
    for (const sp of spec.ports ?? []) {
      const protocol = sp.protocol ?? 'TCP';
      if (protocol !== 'TCP' && protocol !== 'UDP') continue;
      const base = {
        protocol,
        service: `${ns}/${name}`,
        portLabel: sp.name || String(sp.port),
        ...affinity,
        endpoints: readyEndpoints(slices, sp.name ?? '', protocol),
      } as const;
      const add = (address: string, port: number): void => {
        const key = `${protocol}/${address}:${port}`;
        table.set(key, { key, address, port, ...base });
      };
      if (clusterIp !== undefined) add(clusterIp, sp.port);
      if (
        nodeAddress !== undefined &&
        sp.nodePort &&
        (spec.type === 'NodePort' || spec.type === 'LoadBalancer')
      )
        add(nodeAddress, sp.nodePort);
    }
  }
  return table;
}
