import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiserverModule } from '@tugboat/apiserver';
import {
  ApiClient,
  ApiError,
  CloudProvider,
  ControllerManager,
  controllerRuntimeModule,
  Logger,
  resources,
  silentLogger,
} from '@tugboat/core';
import { Proxy } from '@tugboat/proxy';
import { until } from '@tugboat/testing';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

import { cloudModule, loadBalancerCleanupFinalizer, LocalCloudProvider } from '../src/index.js';

const { Services, Nodes, EndpointSlices } = resources;
const ns = 'default';
const nodeAddress = '127.32.0.1';

function get(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve(body);
      });
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe('cloud-controller-manager with the local provider', () => {
  let container: Container;
  let api: ApiClient;
  let provider: LocalCloudProvider;
  let proxy: Proxy;
  let backend: Server;

  beforeAll(async () => {
    container = new Container();
    container.bind(Logger).toConstantValue(silentLogger);
    provider = new LocalCloudProvider({ loadBalancerPool: '127.64.0.0/24', region: 'here' });
    container.load(
      memoryStoreModule(),
      apiserverModule({ serviceClusterIpRange: '127.62.0.0/16' }),
      controllerRuntimeModule({ manager: { baseDelayMs: 5, maxDelayMs: 200 } }),
      cloudModule({ provider, node: { monitorPeriodMs: 100 } }),
    );
    api = container.get<ApiClient>(ApiClient);
    provider.addMachine('node-1', { address: nodeAddress, instanceType: 'tiny', zone: 'here-1' });
    await api.create(Nodes, {
      metadata: { name: 'node-1' },
      spec: {
        taints: [
          { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' },
        ],
      },
    });
    const n = await api.get(Nodes, 'node-1');
    await api.updateStatus(Nodes, {
      ...n,
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: nodeAddress }],
      },
    });
    await container.get(ControllerManager).start();
    proxy = new Proxy({ client: api, nodeName: 'node-1', nodeAddress });
    await proxy.start();
    backend = createServer((_req, res) => res.end('backend'));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  });

  afterAll(async () => {
    await proxy.stop();
    backend.closeAllConnections();
    await new Promise((r) => backend.close(r));
    await container.unbindAllAsync();
  });

  it('initialises a node from its instance', async () => {
    const node = await until(async () => {
      const n = await api.get(Nodes, 'node-1');
      return n.spec?.providerID ? n : undefined;
    }, 'node initialised');
    expect(node.spec?.providerID).toBe('local://node-1');
    expect(node.metadata?.labels).toMatchObject({
      'topology.kubernetes.io/region': 'here',
      'topology.kubernetes.io/zone': 'here-1',
      'node.kubernetes.io/instance-type': 'tiny',
    });
    expect(node.spec?.taints ?? []).toEqual([]);
  });

  it('gives a LoadBalancer Service an ingress address that serves through the NodePorts', async () => {
    const svc = await api.create(Services, {
      metadata: { name: 'lb', namespace: ns },
      spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 8080 }] },
    });
    await api.create(EndpointSlices, {
      metadata: { name: 'lb-1', namespace: ns, labels: { 'kubernetes.io/service-name': 'lb' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'http', port: (backend.address() as AddressInfo).port, protocol: 'TCP' }],
    });
    const withIngress = await until(async () => {
      const s = await api.get(Services, 'lb', { namespace: ns });
      return s.status?.loadBalancer?.ingress?.[0]?.ip ? s : undefined;
    }, 'ingress written');
    const ip = withIngress.status?.loadBalancer?.ingress?.[0]?.ip ?? '';
    expect(ip).toMatch(/^127\.64\.0\./);
    expect(withIngress.metadata?.finalizers).toContain(loadBalancerCleanupFinalizer);
    expect(svc.spec?.ports?.[0]?.nodePort).toBeGreaterThanOrEqual(30000);
    expect(
      await until(async () => (await get(ip, 8080).catch(() => '')) || undefined, 'load balancer serves'),
    ).toBe('backend');
  });

  it('deletes the load balancer before the Service goes', async () => {
    const s = await api.get(Services, 'lb', { namespace: ns });
    const ip = s.status?.loadBalancer?.ingress?.[0]?.ip ?? '';
    await api.delete(Services, 'lb', { namespace: ns });
    await until(async () => {
      try {
        await api.get(Services, 'lb', { namespace: ns });
        return undefined;
      } catch (err) {
        return ApiError.is(err, 'NotFound') ? true : undefined;
      }
    }, 'service gone');
    await expect(get(ip, 8080)).rejects.toThrow();
  });

  it('releases the load balancer when the type changes to ClusterIP', async () => {
    await api.create(Services, {
      metadata: { name: 'lb2', namespace: ns },
      spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 8081 }] },
    });
    await until(
      async () => (await api.get(Services, 'lb2', { namespace: ns })).status?.loadBalancer?.ingress?.[0]?.ip,
      'ingress',
    );
    await api.patch(Services, 'lb2', 'merge', { spec: { type: 'ClusterIP' } }, { namespace: ns });
    const s = await until(async () => {
      const cur = await api.get(Services, 'lb2', { namespace: ns });
      return cur.metadata?.finalizers?.includes(loadBalancerCleanupFinalizer) ? undefined : cur;
    }, 'finalizer removed');
    expect(s.status?.loadBalancer?.ingress ?? []).toEqual([]);
    expect(s.spec?.ports?.[0]?.nodePort).toBeUndefined();
  });

  it('deletes a node whose instance is gone', async () => {
    await api.create(Nodes, { metadata: { name: 'node-2' } });
    await until(
      async () => ((await api.get(Nodes, 'node-2')).spec?.providerID ? true : undefined),
      'node-2 initialised',
    );
    provider.removeMachine('node-2');
    await until(async () => {
      try {
        await api.get(Nodes, 'node-2');
        return undefined;
      } catch (err) {
        return ApiError.is(err, 'NotFound') ? true : undefined;
      }
    }, 'node-2 deleted');
    expect(container.get(CloudProvider)).toBe(provider);
  });

  it('rejects an unknown controller name', () => {
    expect(() => cloudModule({ controllers: ['nope' as 'node'] })).toThrow(/unknown cloud controller "nope"/);
  });
});
