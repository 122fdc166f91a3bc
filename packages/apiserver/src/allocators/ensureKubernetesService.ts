import { ApiError, resources, type ApiClient, type corev1, type discoveryv1 } from '@tugboat/core';

/** Where the API server is reachable, for the `default/kubernetes` Service's endpoints. */
export interface KubernetesServiceOptions {
  /** The cluster IP of the Service: the first address of the range (`ServiceAllocator.kubernetesServiceIp`). */
  readonly clusterIp: string;
  /** The API server's address as seen from nodes (an IPv4 address, e.g. `127.0.0.1`). */
  readonly apiserverAddress: string;
  /** The API server's secure port. */
  readonly apiserverPort: number;
  /** The Service port (default 443, as upstream). */
  readonly servicePort?: number;
}

const ns = 'default';
const name = 'kubernetes';

async function createIfAbsent<T extends corev1.Service | corev1.Endpoints | discoveryv1.EndpointSlice>(
  write: () => Promise<T>,
  update: () => Promise<T>,
): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!ApiError.is(err, 'AlreadyExists')) throw err;
    await update();
  }
}

/**
 * Creates the `default/kubernetes` Service (cluster IP = the first address of the range, port 443)
 * if it does not exist, and points its Endpoints and EndpointSlice at the API server, as upstream's
 * API server does at start. The Service has no selector, so the endpoint controllers leave its
 * endpoints alone. Idempotent: run it at every start.
 */
export async function ensureKubernetesService(
  api: ApiClient,
  options: KubernetesServiceOptions,
): Promise<void> {
  const port = options.servicePort ?? 443;
  try {
    await api.create(resources.Services, {
      metadata: { name, namespace: ns, labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        type: 'ClusterIP',
        clusterIP: options.clusterIp,
        ports: [{ name: 'https', protocol: 'TCP', port, targetPort: options.apiserverPort }],
        sessionAffinity: 'None',
      },
    });
  } catch (err) {
    if (!ApiError.is(err, 'AlreadyExists')) throw err;
  }
  const endpoints: corev1.Endpoints = {
    metadata: { name, namespace: ns, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [
      {
        addresses: [{ ip: options.apiserverAddress }],
        ports: [{ name: 'https', port: options.apiserverPort, protocol: 'TCP' }],
      },
    ],
  };
  await createIfAbsent(
    () => api.create(resources.EndpointsResource, endpoints),
    async () => {
      const cur = await api.get(resources.EndpointsResource, name, { namespace: ns });
      return api.update(resources.EndpointsResource, { ...cur, subsets: endpoints.subsets ?? [] });
    },
  );
  const slice: discoveryv1.EndpointSlice = {
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [options.apiserverAddress], conditions: { ready: true } }],
    ports: [{ name: 'https', port: options.apiserverPort, protocol: 'TCP' }],
  };
  await createIfAbsent(
    () => api.create(resources.EndpointSlices, slice),
    async () => {
      const cur = await api.get(resources.EndpointSlices, name, { namespace: ns });
      return api.update(resources.EndpointSlices, {
        ...cur,
        endpoints: slice.endpoints,
        ports: slice.ports ?? [],
      });
    },
  );
}
