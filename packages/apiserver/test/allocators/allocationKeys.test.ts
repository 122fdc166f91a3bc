import { afterEach, describe, expect, it } from '@jest/globals';
import { ApiError, resources, silentLogger, type corev1 } from '@tugboat/core';
import { MemoryStore } from '@tugboat/store-memory';
import { until } from '@tugboat/testing';

import { InProcessApiClient, Registry, ResourceRegistry } from '../../src/index.js';
import {
  AllocationKeys,
  ServiceAllocation,
  ServiceAllocator,
  type ServiceAllocatorOptions,
} from '../../src/allocators/index.js';

const { Services } = resources;
const ns = 'default';
const ipKey = (ip: string): string => AllocationKeys.keyOf('clusterips', ip);
const portKey = (port: number): string => AllocationKeys.keyOf('nodeports', port);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A hand-driven clock, so reservations and grace periods expire when the test says. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

function server(store: MemoryStore, options: ServiceAllocatorOptions = {}) {
  // No periodic repair: the tests run it by hand.
  const allocator = new ServiceAllocator(store, silentLogger, { repairIntervalMs: 0, ...options });
  cleanups.push(() => {
    allocator.stop();
  });
  const registry = new Registry(store, new ResourceRegistry(), silentLogger, {
    admissionPlugins: [new ServiceAllocation(allocator)],
  });
  return { client: new InProcessApiClient(registry), allocator };
}

function memoryStore(): MemoryStore {
  const store = new MemoryStore();
  cleanups.push(() => store.close());
  return store;
}

function svc(name: string, spec: corev1.ServiceSpec = {}): corev1.Service {
  return { metadata: { name, namespace: ns }, spec: { ports: [{ port: 80 }], ...spec } };
}

async function owner(store: MemoryStore, key: string): Promise<unknown> {
  const kv = await store.get(key);
  return kv === undefined ? undefined : JSON.parse(kv.value);
}

describe('allocation keys', () => {
  it('records every allocated item as a key holding the owning Service', async () => {
    const store = memoryStore();
    const { client } = server(store);
    const a = await client.create(Services, svc('a', { type: 'NodePort' }));
    const ip = a.spec?.clusterIP ?? '';
    const port = a.spec?.ports?.[0]?.nodePort ?? 0;
    const holder = { namespace: ns, name: 'a', uid: a.metadata?.uid };
    expect(await owner(store, ipKey(ip))).toEqual(holder);
    expect(await owner(store, portKey(port))).toEqual(holder);
    expect(ipKey(ip)).toBe(`/internal/serviceallocations/clusterips/${ip}`);
  });

  it('answers 422 for a requested item whose key another server holds, and skips such items when picking', async () => {
    const store = memoryStore();
    const { client } = server(store, { serviceClusterIpRange: '127.60.0.0/24' });
    // Keys another API server wrote for a Service whose write this server has not seen yet.
    const other = JSON.stringify({ namespace: ns, name: 'elsewhere', uid: 'u-other' });
    await store.create(ipKey('127.60.0.9'), other);
    await store.create(ipKey('127.60.0.2'), other);
    await store.create(portKey(30000), other);
    const rejected = await client
      .create(Services, svc('b', { clusterIP: '127.60.0.9' }))
      .catch((e: unknown) => e);
    expect(ApiError.is(rejected, 'Invalid')).toBe(true);
    expect((rejected as Error).message).toBe(
      'Service "b" is invalid: spec.clusterIPs[0]: Invalid value: "127.60.0.9": provided IP is already allocated',
    );
    const c = await client.create(Services, svc('c', { type: 'NodePort' }));
    expect(c.spec?.clusterIP).toBe('127.60.0.3');
    expect(c.spec?.ports?.[0]?.nodePort).toBe(30001);
    // The rejected write left nothing behind, and the other server's keys are untouched.
    expect(await owner(store, ipKey('127.60.0.9'))).toEqual(JSON.parse(other));
    expect(await store.get(ipKey('127.60.0.2'))).toMatchObject({ value: other });
  });

  it('deletes the keys when a Service is deleted or lets go of its NodePorts', async () => {
    const store = memoryStore();
    const { client, allocator } = server(store);
    await client.create(
      Services,
      svc('a', { clusterIP: '127.10.3.3', type: 'NodePort', ports: [{ port: 80, nodePort: 30300 }] }),
    );
    await client.patch(Services, 'a', 'merge', { spec: { type: 'ClusterIP' } }, { namespace: ns });
    await until(() => (allocator.portHolder(30300) === undefined ? true : undefined), 'port released');
    expect(await store.get(portKey(30300))).toBeUndefined();
    expect(await store.get(ipKey('127.10.3.3'))).toBeDefined();
    await client.delete(Services, 'a', { namespace: ns });
    await until(() => (allocator.ipHolder('127.10.3.3') === undefined ? true : undefined), 'IP released');
    expect(await store.get(ipKey('127.10.3.3'))).toBeUndefined();
  });

  it('lets a deleted Service be recreated at once with the same values', async () => {
    const store = memoryStore();
    const { client } = server(store);
    const spec = { clusterIP: '127.10.4.4', type: 'NodePort', ports: [{ port: 80, nodePort: 30400 }] };
    await client.create(Services, svc('a', spec));
    await client.delete(Services, 'a', { namespace: ns });
    const again = await client.create(Services, svc('a', spec));
    expect(again.spec?.clusterIP).toBe('127.10.4.4');
    expect(await owner(store, ipKey('127.10.4.4'))).toMatchObject({ uid: again.metadata?.uid });
  });

  it('never deletes a key someone else holds now', async () => {
    const store = memoryStore();
    const keys = new AllocationKeys(store);
    await store.create(ipKey('127.10.5.5'), JSON.stringify({ namespace: ns, name: 'n', uid: 'new' }));
    await keys.release('clusterips', '127.10.5.5', 'old');
    expect(await owner(store, ipKey('127.10.5.5'))).toMatchObject({ uid: 'new' });
    await keys.release('clusterips', '127.10.5.5', 'new');
    expect(await store.get(ipKey('127.10.5.5'))).toBeUndefined();
  });
});

describe('allocation repair', () => {
  it('releases the keys of a write that failed once its reservation expires', async () => {
    const store = memoryStore();
    const t = clock();
    const { client, allocator } = server(store, { now: t.now, reservationTtlMs: 60_000 });
    await client.create(Services, svc('a'));
    // Same name again: admission takes the items, then the store write fails.
    const failed = await client
      .create(
        Services,
        svc('a', { clusterIP: '127.10.6.6', type: 'NodePort', ports: [{ port: 80, nodePort: 30600 }] }),
      )
      .catch((e: unknown) => e);
    expect(ApiError.is(failed, 'AlreadyExists')).toBe(true);
    expect(await store.get(ipKey('127.10.6.6'))).toBeDefined();
    expect((await allocator.repair()).deleted).toBe(0);
    t.advance(60_001);
    expect((await allocator.repair()).deleted).toBe(2);
    expect(await store.get(ipKey('127.10.6.6'))).toBeUndefined();
    expect(await store.get(portKey(30600))).toBeUndefined();
    const b = await client.create(Services, svc('b', { clusterIP: '127.10.6.6' }));
    expect(b.spec?.clusterIP).toBe('127.10.6.6');
  });

  it('deletes a key no stored Service uses only after it stayed unused for the grace period', async () => {
    const store = memoryStore();
    const t = clock();
    const { allocator } = server(store, { now: t.now, repairGraceMs: 30_000 });
    await allocator.start();
    await store.create(ipKey('127.10.7.7'), JSON.stringify({ namespace: ns, name: 'gone', uid: 'u' }));
    expect((await allocator.repair()).deleted).toBe(0);
    t.advance(29_000);
    expect((await allocator.repair()).deleted).toBe(0);
    expect(await store.get(ipKey('127.10.7.7'))).toBeDefined();
    t.advance(2_000);
    expect((await allocator.repair()).deleted).toBe(1);
    expect(await store.get(ipKey('127.10.7.7'))).toBeUndefined();
  });

  it('writes missing keys for stored Services and reports items two Services use', async () => {
    const store = memoryStore();
    // Services written before allocation keys existed (or by a broken server): no keys.
    const stored = (name: string, uid: string, ip: string): Promise<unknown> =>
      store.create(
        `/core/services/${ns}/${name}`,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace: ns, uid },
          spec: { clusterIP: ip, clusterIPs: [ip], ports: [{ port: 80 }] },
        }),
      );
    await stored('x', 'ux', '127.10.8.8');
    await stored('y', 'uy', '127.10.8.9');
    await stored('z', 'uz', '127.10.8.9');
    const { allocator } = server(store);
    const report = await allocator.repair();
    expect(report.created).toBe(2);
    expect(report.conflicts).toEqual(['clusterips/127.10.8.9']);
    expect(await owner(store, ipKey('127.10.8.8'))).toEqual({ namespace: ns, name: 'x', uid: 'ux' });
    expect(await owner(store, ipKey('127.10.8.9'))).toMatchObject({ namespace: ns, name: 'y' });
  });
});
