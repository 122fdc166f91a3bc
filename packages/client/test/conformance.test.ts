import { silentLogger } from '@tugboat/core';
import { InProcessApiClient, Registry, ResourceRegistry, startApiServer } from '@tugboat/apiserver';
import { MemoryStore } from '@tugboat/store-memory';
import { describeApiClientConformance } from '@tugboat/testing';

import { HttpApiClient } from '../src/index.js';

describeApiClientConformance('InProcessApiClient', async () => {
  const store = new MemoryStore();
  const registry = new Registry(store, new ResourceRegistry(), silentLogger);
  await registry.start();
  return {
    client: new InProcessApiClient(registry),
    compact: async () => store.compact(await store.currentRevision()),
    cleanup: () => store.close(),
  };
});

describeApiClientConformance('HttpApiClient', async () => {
  const store = new MemoryStore();
  const registry = new Registry(store, new ResourceRegistry(), silentLogger);
  const server = await startApiServer({ registry });
  const client = new HttpApiClient({ server: server.url });
  return {
    client,
    compact: async () => store.compact(await store.currentRevision()),
    cleanup: async () => {
      client.close();
      await server.close();
      await store.close();
    },
  };
});
