import { describe, expect, it } from '@jest/globals';
import { ApiClient, Logger, resources, silentLogger } from '@tugboat/core';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

import { apiserverModule, ServiceAllocator, type ApiserverOptions } from '../../src/index.js';

async function createdService(options: ApiserverOptions) {
  const container = new Container();
  container.bind(Logger).toConstantValue(silentLogger);
  container.load(memoryStoreModule(), apiserverModule(options));
  try {
    return await container.get<ApiClient>(ApiClient).create(resources.Services, {
      metadata: { name: 's', namespace: 'default' },
      spec: { ports: [{ port: 80 }] },
    });
  } finally {
    await container.unbindAllAsync();
  }
}

describe('apiserverModule Service allocation', () => {
  it('allocates from 127.10.0.0/16 by default and from serviceClusterIpRange when given', async () => {
    expect((await createdService({})).spec?.clusterIP).toMatch(/^127\.10\./);
    expect((await createdService({ serviceClusterIpRange: '127.77.0.0/24' })).spec?.clusterIP).toBe(
      '127.77.0.2',
    );
  });

  it('allocates nothing with allocateServices: false', async () => {
    expect((await createdService({ allocateServices: false })).spec?.clusterIP).toBeUndefined();
  });

  it('binds the allocator, whose kubernetes Service address is the first of the range', async () => {
    const container = new Container();
    container.bind(Logger).toConstantValue(silentLogger);
    container.load(memoryStoreModule(), apiserverModule({ serviceClusterIpRange: '127.78.0.0/16' }));
    expect(container.get(ServiceAllocator).kubernetesServiceIp).toBe('127.78.0.1');
    await container.unbindAllAsync();
  });
});
