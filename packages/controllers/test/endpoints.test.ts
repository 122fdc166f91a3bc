import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, resources, type corev1, type discoveryv1 } from '@tugboat/core';

import { startCluster, until, type TestCluster } from './harness.js';

const { Pods, Services, EndpointsResource, EndpointSlices } = resources;
const ns = 'default';

async function pod(
  c: TestCluster,
  name: string,
  ip: string,
  ready: boolean,
  port?: number,
  labels = { app: 'web' },
): Promise<corev1.Pod> {
  const created = await c.api.create(Pods, {
    metadata: { name, namespace: ns, labels },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'busybox:1',
          ...(port ? { ports: [{ name: 'http', containerPort: port }] } : {}),
        },
      ],
    },
  });
  return setReady(c, created, ip, ready);
}

function setReady(c: TestCluster, p: corev1.Pod, ip: string, ready: boolean): Promise<corev1.Pod> {
  return c.api.updateStatus(Pods, {
    ...p,
    status: {
      phase: 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  });
}

const ips = (a: readonly corev1.EndpointAddress[] | undefined) => (a ?? []).map((x) => x.ip);

describe('Endpoints and EndpointSlice controllers', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster(['endpoints', 'endpointslice', 'garbagecollector']);
  });
  afterAll(async () => {
    await c.stop();
  });

  it('lists ready and not-ready pods with named targetPorts resolved per pod', async () => {
    await pod(c, 'a', '10.1.0.1', true, 8080);
    const b = await pod(c, 'b', '10.1.0.2', false, 9090);
    await pod(c, 'no-port', '10.1.0.3', true);
    await pod(c, 'other', '10.1.0.4', true, 8080, { app: 'other' });
    await c.api.create(Services, {
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    const ep = await until(
      async () => {
        const e = await c.api.get(EndpointsResource, 'web', { namespace: ns });
        return (e.subsets ?? []).length === 2 ? e : undefined;
      },
      15_000,
      'endpoints',
    );
    const by = (port: number) => ep.subsets?.find((s) => s.ports?.[0]?.port === port);
    expect(by(8080)).toMatchObject({ ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
    expect(ips(by(8080)?.addresses)).toEqual(['10.1.0.1']);
    expect(by(8080)?.addresses?.[0]?.targetRef).toMatchObject({ kind: 'Pod', name: 'a' });
    expect(ips(by(9090)?.notReadyAddresses)).toEqual(['10.1.0.2']);
    expect(by(9090)?.addresses ?? []).toEqual([]);

    // Readiness flips move the address.
    await setReady(c, await c.api.get(Pods, 'b', { namespace: ns }), '10.1.0.2', true);
    await until(
      async () => {
        const e = await c.api.get(EndpointsResource, 'web', { namespace: ns });
        return ips(e.subsets?.find((s) => s.ports?.[0]?.port === 9090)?.addresses).includes('10.1.0.2')
          ? true
          : undefined;
      },
      15_000,
      'b ready',
    );
    expect(b.metadata?.name).toBe('b');

    const slices = await until(
      async () => {
        const s = (
          await c.api.list(EndpointSlices, { namespace: ns, labelSelector: 'kubernetes.io/service-name=web' })
        ).items;
        const total = s.reduce((n, x) => n + x.endpoints.length, 0);
        return s.length === 3 && total === 3 && s.every((x) => x.endpoints.every((e) => e.conditions?.ready))
          ? s
          : undefined;
      },
      15_000,
      'slices',
    );
    // As upstream, a pod lacking the named port is still listed, in a slice without ports.
    expect(slices.find((s) => (s.ports ?? []).length === 0)?.endpoints[0]?.addresses).toEqual(['10.1.0.3']);
    for (const s of slices) {
      expect(s.addressType).toBe('IPv4');
      expect(s.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: 'Service',
        name: 'web',
        controller: true,
      });
      expect(s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by']).toBe(
        'endpointslice-controller.k8s.io',
      );
    }
    const s8080 = slices.find((s) => s.ports?.[0]?.port === 8080) as discoveryv1.EndpointSlice;
    expect(s8080.endpoints[0]).toMatchObject({
      addresses: ['10.1.0.1'],
      conditions: { ready: true, serving: true, terminating: false },
    });
  });

  it('publishes not-ready addresses when the Service asks for it', async () => {
    await pod(c, 'n1', '10.2.0.1', false, undefined, { app: 'pub' });
    await c.api.create(Services, {
      metadata: { name: 'pub', namespace: ns },
      spec: {
        selector: { app: 'pub' },
        publishNotReadyAddresses: true,
        ports: [{ port: 53, protocol: 'UDP' }],
      },
    });
    const ep = await until(
      async () => {
        const e = await c.api.get(EndpointsResource, 'pub', { namespace: ns });
        return (e.subsets ?? []).length === 1 ? e : undefined;
      },
      15_000,
      'endpoints',
    );
    expect(ips(ep.subsets?.[0]?.addresses)).toEqual(['10.2.0.1']);
    expect(ep.subsets?.[0]?.ports).toEqual([{ port: 53, protocol: 'UDP' }]);
  });

  it('splits a large Service into EndpointSlices of at most 100 endpoints', async () => {
    await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        pod(c, `many-${i}`, `10.3.${Math.floor(i / 200)}.${(i % 200) + 1}`, true, undefined, { app: 'many' }),
      ),
    );
    await c.api.create(Services, {
      metadata: { name: 'many', namespace: ns },
      spec: { selector: { app: 'many' }, ports: [{ port: 80 }] },
    });
    const sizes = await until(
      async () => {
        const s = (
          await c.api.list(EndpointSlices, {
            namespace: ns,
            labelSelector: 'kubernetes.io/service-name=many',
          })
        ).items;
        const n = s.map((x) => x.endpoints.length).sort((a, b) => a - b);
        return n.reduce((a, b) => a + b, 0) === 150 ? n : undefined;
      },
      15_000,
      '150 endpoints in slices',
    );
    expect(sizes).toEqual([50, 100]);
    const ep = await until(
      async () => {
        const e = await c.api.get(EndpointsResource, 'many', { namespace: ns });
        return e.subsets?.[0]?.addresses?.length === 150 ? e : undefined;
      },
      15_000,
      'Endpoints with 150 addresses',
    );
    expect(ep.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity']).toBeUndefined();
  });

  it('removes a deleted pod and drops everything with the Service', async () => {
    await c.api.delete(Pods, 'a', { namespace: ns });
    await until(
      async () => {
        const e = await c.api.get(EndpointsResource, 'web', { namespace: ns });
        return (e.subsets ?? []).length === 1 ? true : undefined;
      },
      15_000,
      'a removed',
    );
    await c.api.delete(Services, 'web', { namespace: ns });
    await until(
      async () => {
        try {
          await c.api.get(EndpointsResource, 'web', { namespace: ns });
          return undefined;
        } catch (err) {
          return ApiError.is(err, 'NotFound') ? true : undefined;
        }
      },
      15_000,
      'endpoints deleted',
    );
    await until(
      async () => {
        const s = await c.api.list(EndpointSlices, {
          namespace: ns,
          labelSelector: 'kubernetes.io/service-name=web',
        });
        return s.items.length === 0 ? true : undefined;
      },
      15_000,
      'slices collected',
    );
  });
});
