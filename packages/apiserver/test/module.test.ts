import { describe, expect, it } from '@jest/globals';
import { ApiClient, ApiError, Logger, silentLogger, Store } from '@tugboat/core';
import { MemoryStore } from '@tugboat/store-memory';
import { Container } from 'inversify';

import {
  apiserverModule,
  InProcessApiClient,
  Registry,
  ResourceRegistry,
  type AdmissionPlugin,
} from '../src/index.js';
import { ConfigMaps, configMap, newApiserver, rejection } from './harness.js';

describe('apiserverModule', () => {
  it('binds the registries and ApiClient to the in-process client', async () => {
    const store = new MemoryStore();
    const container = new Container();
    container.bind(Store).toConstantValue(store);
    container.bind(Logger).toConstantValue(silentLogger);
    container.load(apiserverModule({ bookmarkIntervalMs: 1000 }));
    const client = container.get<ApiClient>(ApiClient);
    expect(client).toBeInstanceOf(InProcessApiClient);
    expect(container.get(Registry)).toBe(container.get(Registry));
    expect(container.get(ResourceRegistry).lookup('', 'v1', 'pods')?.kind).toBe('Pod');
    const created = await client.create(ConfigMaps, configMap('via-di'));
    expect(created.metadata?.uid).toBeDefined();
    await store.close();
  });
});

describe('admission', () => {
  it('runs mutating plugins before validation and validating plugins after, in order', async () => {
    const calls: string[] = [];
    const plugins: AdmissionPlugin[] = [
      {
        name: 'check',
        phase: 'validating',
        admit: async (a) => {
          calls.push(`validate ${a.operation} ${a.object?.metadata?.labels?.['added'] ?? '-'}`);
          if (a.object?.metadata?.name === 'denied')
            throw new ApiError('Forbidden', 'configmaps "denied" is forbidden: no');
        },
      },
      {
        name: 'label',
        admit: async (a) => {
          calls.push(`mutate ${a.operation} ${a.user.name}`);
          if (a.object) a.object.metadata = { ...a.object.metadata, labels: { added: 'yes' } };
        },
      },
    ];
    const api = await newApiserver({ admissionPlugins: plugins });
    calls.length = 0; // the bootstrap namespaces went through admission too
    const created = await api.client.create(ConfigMaps, configMap('ok'));
    expect(created.metadata?.labels).toEqual({ added: 'yes' });
    expect(calls).toEqual(['mutate CREATE system:admin', 'validate CREATE yes']);
    const before = await api.store.currentRevision();
    expect((await rejection(() => api.client.create(ConfigMaps, configMap('denied')))).code).toBe(
      'Forbidden',
    );
    expect(await api.store.currentRevision()).toBe(before);
    calls.length = 0;
    await api.client.as({ name: 'alice', groups: [] }).delete(ConfigMaps, 'ok', { namespace: 'default' });
    expect(calls).toEqual(['mutate DELETE alice', 'validate DELETE -']);
    await api.close();
  });
});
