import { describe, expect, it } from '@jest/globals';
import { apiserverModule } from '@tugboat/apiserver';
import { ApiClient, Logger, resources, silentLogger } from '@tugboat/core';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

import { Proxy, proxyModule } from '../src/index.js';
import { until } from './harness.js';

describe('proxyModule', () => {
  it('binds a Proxy on the container ApiClient that serves once started and stops on unbind', async () => {
    const container = new Container();
    container.bind(Logger).toConstantValue(silentLogger);
    container.load(
      memoryStoreModule(),
      apiserverModule({ serviceClusterIpRange: '127.66.0.0/24' }),
      proxyModule({ nodeName: 'n1', nodeAddress: '127.33.0.1' }),
    );
    const proxy = container.get(Proxy);
    expect(container.get(Proxy)).toBe(proxy);
    await proxy.start();
    const svc = await container.get<ApiClient>(ApiClient).create(resources.Services, {
      metadata: { name: 's', namespace: 'default' },
      spec: { type: 'NodePort', ports: [{ port: 81 }] },
    });
    const nodePort = svc.spec?.ports?.[0]?.nodePort ?? 0;
    await until(
      () => (proxy.listeners.includes(`TCP/127.33.0.1:${nodePort}`) ? true : undefined),
      'node port listener',
    );
    expect(proxy.listeners).toContain('TCP/127.66.0.2:81');
    await container.unbindAllAsync();
    expect(proxy.listeners).toEqual([]);
  });
});
