import { afterEach, describe, expect, it } from '@jest/globals';
import { ApiError, resources, silentLogger, type corev1 } from '@tugboat/core';
import { MemoryStore } from '@tugboat/store-memory';

import {
  InProcessApiClient,
  Ipv4Range,
  PortRange,
  Registry,
  ResourceRegistry,
  ServiceAllocation,
  ServiceAllocator,
  ensureKubernetesService,
  type ServiceAllocatorOptions,
} from '../../src/index.js';

const { Services } = resources;
const ns = 'default';

interface Server {
  readonly client: InProcessApiClient;
  readonly allocator: ServiceAllocator;
  readonly registry: Registry;
}

const stores: MemoryStore[] = [];
const allocators: ServiceAllocator[] = [];

function server(store: MemoryStore, options: ServiceAllocatorOptions = {}): Server {
  const allocator = new ServiceAllocator(store, silentLogger, options);
  allocators.push(allocator);
  const registry = new Registry(store, new ResourceRegistry(), silentLogger, {
    admissionPlugins: [new ServiceAllocation(allocator)],
  });
  return { client: new InProcessApiClient(registry), allocator, registry };
}

function fresh(options: ServiceAllocatorOptions = {}): Server & { store: MemoryStore } {
  const store = new MemoryStore();
  stores.push(store);
  return { ...server(store, options), store };
}

afterEach(async () => {
  for (const a of allocators.splice(0)) a.stop();
  for (const s of stores.splice(0)) await s.close();
});

function svc(name: string, spec: corev1.ServiceSpec = {}): corev1.Service {
  return { metadata: { name, namespace: ns }, spec: { ports: [{ port: 80 }], ...spec } };
}

async function invalidMessage(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(ApiError.is(err, 'Invalid')).toBe(true);
    return (err as ApiError).message;
  }
  throw new Error('expected the write to be rejected');
}

async function until(probe: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`${what} not met before the deadline`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ranges', () => {
  it('parses CIDRs and port ranges and rejects bad ones with BadRequest', () => {
    const r = Ipv4Range.parse('127.10.0.0/16');
    expect(r.size).toBe(65534);
    expect(r.addressAt(0)).toBe('127.10.0.1');
    expect(r.offsetOf('127.10.255.254')).toBe(65533);
    expect(r.offsetOf('127.10.255.255')).toBeUndefined();
    expect(r.offsetOf('127.11.0.1')).toBeUndefined();
    expect(PortRange.parse('30000-32767').toString()).toBe('30000-32767');
    expect(() => Ipv4Range.parse('10.0.0.0/33')).toThrow(/invalid service cluster IP range/);
    expect(() => Ipv4Range.parse('nonsense')).toThrow(ApiError);
    expect(() => PortRange.parse('32767-30000')).toThrow(/invalid service node port range/);
  });
});

describe('Service allocation', () => {
  it('gives ClusterIP, NodePort and LoadBalancer Services addresses from the range, none to headless and ExternalName', async () => {
    const { client } = fresh();
    const a = await client.create(Services, svc('a'));
    expect(a.spec?.clusterIP).toBe('127.10.0.2');
    expect(a.spec?.clusterIPs).toEqual(['127.10.0.2']);
    const np = await client.create(
      Services,
      svc('np', {
        type: 'NodePort',
        ports: [
          { name: 'h', port: 80 },
          { name: 'd', port: 53, protocol: 'UDP' },
        ],
      }),
    );
    expect(np.spec?.clusterIP).toBe('127.10.0.3');
    expect(np.spec?.ports?.map((p) => p.nodePort)).toEqual([30000, 30001]);
    const lb = await client.create(Services, svc('lb', { type: 'LoadBalancer' }));
    expect(lb.spec?.ports?.[0]?.nodePort).toBe(30002);
    const headless = await client.create(Services, svc('headless', { clusterIP: 'None' }));
    expect(headless.spec?.clusterIP).toBe('None');
    const ext = await client.create(Services, {
      metadata: { name: 'ext', namespace: ns },
      spec: { type: 'ExternalName', externalName: 'example.com' },
    });
    expect(ext.spec?.clusterIP).toBeUndefined();
  });

  it('honours requested values when free and in range, and answers 422 with the field otherwise', async () => {
    const { client } = fresh({ serviceClusterIpRange: '127.20.0.0/24' });
    const a = await client.create(
      Services,
      svc('a', { clusterIP: '127.20.0.50', type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
    );
    expect(a.spec?.clusterIP).toBe('127.20.0.50');
    expect(a.spec?.ports?.[0]?.nodePort).toBe(30080);
    expect(await invalidMessage(client.create(Services, svc('b', { clusterIP: '127.20.0.50' })))).toBe(
      'Service "b" is invalid: spec.clusterIPs[0]: Invalid value: "127.20.0.50": provided IP is already allocated',
    );
    expect(await invalidMessage(client.create(Services, svc('c', { clusterIP: '10.0.0.1' })))).toBe(
      'Service "c" is invalid: spec.clusterIPs[0]: Invalid value: "10.0.0.1": provided IP is not in the valid range. The range of valid IPs is 127.20.0.0/24',
    );
    expect(
      await invalidMessage(
        client.create(Services, svc('d', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })),
      ),
    ).toBe(
      'Service "d" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    expect(
      await invalidMessage(
        client.create(Services, svc('e', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] })),
      ),
    ).toBe(
      'Service "e" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    // The rejected creates took nothing: the next dynamic allocation gets the first free address.
    const f = await client.create(Services, svc('f'));
    expect(f.spec?.clusterIP).toBe('127.20.0.2');
  });

  it('keeps the cluster IP immutable and releases NodePorts when the type becomes ClusterIP', async () => {
    const { client, allocator } = fresh();
    const np = await client.create(
      Services,
      svc('np', { type: 'NodePort', ports: [{ port: 80, nodePort: 30100 }] }),
    );
    const changed = await client
      .update(Services, {
        ...np,
        spec: { ...np.spec, clusterIP: '127.10.0.99', clusterIPs: ['127.10.0.99'] },
      })
      .catch((e: unknown) => e);
    expect(ApiError.is(changed, 'Invalid')).toBe(true);
    expect((changed as Error).message).toMatch(
      /spec.clusterIP: Invalid value: "127.10.0.99": field is immutable/,
    );
    const asClusterIp = await client.patch(
      Services,
      'np',
      'merge',
      { spec: { type: 'ClusterIP' } },
      { namespace: ns },
    );
    expect(asClusterIp.spec?.ports?.[0]?.nodePort).toBeUndefined();
    expect(asClusterIp.spec?.clusterIP).toBe(np.spec?.clusterIP);
    await until(() => allocator.portHolder(30100) === undefined, 'NodePort 30100 released');
    const other = await client.create(
      Services,
      svc('other', { type: 'NodePort', ports: [{ port: 80, nodePort: 30100 }] }),
    );
    expect(other.spec?.ports?.[0]?.nodePort).toBe(30100);
  });

  it('releases the IP and ports on delete', async () => {
    const { client, allocator } = fresh();
    await client.create(
      Services,
      svc('a', { clusterIP: '127.10.1.1', type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] }),
    );
    await client.delete(Services, 'a', { namespace: ns });
    await until(
      () => allocator.ipHolder('127.10.1.1') === undefined && allocator.portHolder(31000) === undefined,
      'released',
    );
    const b = await client.create(
      Services,
      svc('b', { clusterIP: '127.10.1.1', type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] }),
    );
    expect(b.spec?.clusterIP).toBe('127.10.1.1');
  });

  it('repairs its state from the stored Services after a restart', async () => {
    const first = fresh();
    await first.client.create(
      Services,
      svc('a', { clusterIP: '127.10.2.2', type: 'NodePort', ports: [{ port: 80, nodePort: 31500 }] }),
    );
    first.allocator.stop();
    const second = server(first.store);
    expect(
      await invalidMessage(second.client.create(Services, svc('b', { clusterIP: '127.10.2.2' }))),
    ).toMatch(/provided IP is already allocated/);
    expect(
      await invalidMessage(
        second.client.create(
          Services,
          svc('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 31500 }] }),
        ),
      ),
    ).toMatch(/provided port is already allocated/);
  });

  it('never hands one address or port to two concurrent creates', async () => {
    const { client } = fresh({ serviceClusterIpRange: '127.30.0.0/26' });
    const made = await Promise.all(
      Array.from({ length: 40 }, (_, i) => client.create(Services, svc(`s${i}`, { type: 'NodePort' }))),
    );
    const ips = made.map((s) => s.spec?.clusterIP);
    const ports = made.map((s) => s.spec?.ports?.[0]?.nodePort);
    expect(new Set(ips).size).toBe(40);
    expect(new Set(ports).size).toBe(40);
    // Racing for one requested address: exactly one wins.
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        client.create(Services, svc(`r${i}`, { clusterIP: '127.30.0.60' })),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('reports a full range', async () => {
    const { client } = fresh({ serviceClusterIpRange: '127.40.0.0/30' });
    // A /30 has two usable addresses; the first is kept for the kubernetes Service.
    await client.create(Services, svc('a'));
    expect(await invalidMessage(client.create(Services, svc('b')))).toMatch(/range is full/);
  });

  it('creates the default/kubernetes Service on the first address, idempotently', async () => {
    const { client, allocator } = fresh();
    const opts = {
      clusterIp: allocator.kubernetesServiceIp,
      apiserverAddress: '127.0.0.1',
      apiserverPort: 6443,
    };
    await ensureKubernetesService(client, opts);
    await ensureKubernetesService(client, opts);
    const k = await client.get(Services, 'kubernetes', { namespace: ns });
    expect(k.spec?.clusterIP).toBe('127.10.0.1');
    expect(k.spec?.ports?.[0]).toMatchObject({ port: 443, targetPort: 6443 });
    const slice = await client.get(resources.EndpointSlices, 'kubernetes', { namespace: ns });
    expect(slice.endpoints[0]?.addresses).toEqual(['127.0.0.1']);
  });
});
