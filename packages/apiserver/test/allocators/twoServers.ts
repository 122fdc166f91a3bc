import { expect } from '@jest/globals';
import { ApiClient, ApiError, Logger, Store, resources, silentLogger, type corev1 } from '@tugboat/core';
import { Container } from 'inversify';

import { apiserverModule } from '../../src/index.js';
import { AllocationKeys } from '../../src/allocators/index.js';

const { Services } = resources;
const ns = 'default';

/** One API server (an `apiserverModule` container) on a given store. */
export interface TestServer {
  readonly client: ApiClient;
  close(): Promise<void>;
}

/** Starts an `apiserverModule` container on `store` with a small range, so servers contend. */
export function testServer(store: Store): TestServer {
  const container = new Container();
  container.bind(Logger).toConstantValue(silentLogger);
  container.bind(Store).toConstantValue(store);
  container.load(
    apiserverModule({ serviceClusterIpRange: '127.50.0.0/26', serviceNodePortRange: '30000-30047' }),
  );
  return { client: container.get<ApiClient>(ApiClient), close: () => container.unbindAllAsync() };
}

/** A small deterministic PRNG (mulberry32), so a failing run can be repeated. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function serviceSpec(rand: () => number): corev1.ServiceSpec {
  const requestIp = rand() < 0.4;
  const requestPort = rand() < 0.4;
  return {
    type: 'NodePort',
    // Requested values come from a few addresses and ports, so requests collide across servers.
    ...(requestIp ? { clusterIP: `127.50.0.${2 + Math.floor(rand() * 6)}` } : {}),
    ports: [{ port: 80, ...(requestPort ? { nodePort: 30000 + Math.floor(rand() * 6) } : {}) }],
  };
}

/** Fails unless `err` is a clear 422 about allocation or a 409. */
function expectClearFailure(err: unknown): void {
  if (ApiError.is(err, 'Invalid')) {
    expect(err.message).toMatch(
      /spec\.(clusterIPs\[0\]|ports\[0\]\.nodePort): Invalid value: .*: (provided (IP|port) is already allocated|failed to allocate a (serviceIP|nodePort): range is full)/,
    );
    return;
  }
  expect(ApiError.is(err, 'AlreadyExists') || ApiError.is(err, 'Conflict')).toBe(true);
}

/** Reads every stored Service and checks no cluster IP or NodePort is used twice and each has its key. */
export async function expectNoDoubleAllocation(store: Store, client: ApiClient): Promise<number> {
  const list = await client.list(Services, { namespace: ns });
  const ips = new Map<string, string>();
  const ports = new Map<number, string>();
  for (const svc of list.items) {
    const name = svc.metadata?.name ?? '';
    const ip = svc.spec?.clusterIP ?? '';
    expect(ips.get(ip)).toBeUndefined();
    ips.set(ip, name);
    const ipKey = await store.get(AllocationKeys.keyOf('clusterips', ip));
    expect(JSON.parse(ipKey?.value ?? '{}')).toMatchObject({ name, uid: svc.metadata?.uid });
    for (const p of svc.spec?.ports ?? []) {
      const port = p.nodePort ?? 0;
      expect(ports.get(port)).toBeUndefined();
      ports.set(port, name);
      const portKey = await store.get(AllocationKeys.keyOf('nodeports', port));
      expect(JSON.parse(portKey?.value ?? '{}')).toMatchObject({ name, uid: svc.metadata?.uid });
    }
  }
  return list.items.length;
}

/**
 * Hammers two servers with concurrent Service creates (dynamic and requested values), then with
 * deletes and more creates, checking after each round that nothing is held twice.
 */
export async function hammer(store: Store, a: TestServer, b: TestServer, seed: number): Promise<void> {
  const rand = random(seed);
  const servers = [a, b] as const;
  const round = async (prefix: string, n: number): Promise<number> => {
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) =>
        servers[i % 2 === 0 ? 0 : 1].client.create(Services, {
          metadata: { name: `${prefix}${i}`, namespace: ns },
          spec: serviceSpec(rand),
        }),
      ),
    );
    for (const r of results) if (r.status === 'rejected') expectClearFailure(r.reason);
    return results.filter((r) => r.status === 'fulfilled').length;
  };
  const created = await round('s', 40);
  expect(created).toBeGreaterThan(0);
  expect(await expectNoDoubleAllocation(store, a.client)).toBe(created);
  // Free some items on one server while the other creates: releases race new allocations.
  const names = (await a.client.list(Services, { namespace: ns })).items.map((s) => s.metadata?.name ?? '');
  const deletes = names.filter((_, i) => i % 2 === 0);
  const [, more] = await Promise.all([
    Promise.all(deletes.map((name) => a.client.delete(Services, name, { namespace: ns }))),
    round('t', 30),
  ]);
  expect(await expectNoDoubleAllocation(store, b.client)).toBe(created - deletes.length + more);
}
