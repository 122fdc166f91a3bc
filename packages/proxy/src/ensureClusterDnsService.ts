import { ApiError, resources, type ApiClient, type corev1, type discoveryv1 } from '@tugboat/core';

/** Where the cluster DNS runs, for the `kube-system/kube-dns` Service. */
export interface ClusterDnsServiceOptions {
  /** The cluster IP to ask for: by convention the tenth address of the range (`10.96.0.10`). */
  readonly clusterIp: string;
  /** The address {@link ClusterDns} serves on, as the proxy dials it (e.g. `127.0.0.1`). */
  readonly address: string;
  /** Its port (UDP and TCP). */
  readonly port: number;
}

const namespace = 'kube-system';
const name = 'kube-dns';
const ports = [
  { name: 'dns', protocol: 'UDP', port: 53 },
  { name: 'dns-tcp', protocol: 'TCP', port: 53 },
] as const;

async function upsert<T extends corev1.Endpoints | discoveryv1.EndpointSlice>(
  create: () => Promise<T>,
  update: () => Promise<T>,
): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!ApiError.is(err, 'AlreadyExists')) throw err;
    await update();
  }
}

/**
 * Creates the `kube-system/kube-dns` Service (ports 53/UDP `dns` and 53/TCP `dns-tcp`, as upstream's)
 * unless it exists, and points its Endpoints and EndpointSlice at the {@link ClusterDns}, so the
 * proxy forwards the Service's cluster IP to it like any other Service. The Service has no
 * selector: the endpoint controllers leave its endpoints alone. When the wanted cluster IP is
 * already taken, the Service gets one from the allocator. Idempotent: run it at every start.
 * Resolves with the Service's cluster IP: the nameserver the kubelet gives pods (`clusterDNS`).
 */
export async function ensureClusterDnsService(
  api: ApiClient,
  options: ClusterDnsServiceOptions,
): Promise<string> {
  const service = (clusterIP?: string): corev1.Service => ({
    metadata: {
      name,
      namespace,
      labels: {
        'k8s-app': 'kube-dns',
        'kubernetes.io/name': 'ClusterDns',
        'kubernetes.io/cluster-service': 'true',
      },
    },
    spec: {
      type: 'ClusterIP',
      ...(clusterIP !== undefined ? { clusterIP } : {}),
      ports: ports.map((p) => ({ ...p, targetPort: options.port })),
      sessionAffinity: 'None',
    },
  });
  let svc: corev1.Service;
  try {
    svc = await api.create(resources.Services, service(options.clusterIp));
  } catch (err) {
    if (ApiError.is(err, 'AlreadyExists')) svc = await api.get(resources.Services, name, { namespace });
    else if (ApiError.is(err, 'Invalid')) svc = await api.create(resources.Services, service());
    else throw err;
  }
  const endpoints: corev1.Endpoints = {
    metadata: { name, namespace, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [
      {
        addresses: [{ ip: options.address }],
        ports: ports.map((p) => ({ name: p.name, protocol: p.protocol, port: options.port })),
      },
    ],
  };
  await upsert(
    () => api.create(resources.EndpointsResource, endpoints),
    async () => {
      const cur = await api.get(resources.EndpointsResource, name, { namespace });
      return api.update(resources.EndpointsResource, { ...cur, subsets: endpoints.subsets ?? [] });
    },
  );
  const slice: discoveryv1.EndpointSlice = {
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [options.address], conditions: { ready: true } }],
    ports: ports.map((p) => ({ name: p.name, protocol: p.protocol, port: options.port })),
  };
  await upsert(
    () => api.create(resources.EndpointSlices, slice),
    async () => {
      const cur = await api.get(resources.EndpointSlices, name, { namespace });
      return api.update(resources.EndpointSlices, {
        ...cur,
        endpoints: slice.endpoints,
        ports: slice.ports ?? [],
      });
    },
  );
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') throw new ApiError('Internal', `${namespace}/${name} has no cluster IP`);
  return ip;
}
