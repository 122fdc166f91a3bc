import { Store, silentLogger } from '@tugboat/core';
import { InProcessApiClient, Registry, ResourceRegistry } from '@tugboat/apiserver';
import { MemoryStore } from '@tugboat/store-memory';
import { createTestCluster } from '@tugboat/test-cluster';
import { describeApiClientConformance } from '@tugboat/testing';

import { HttpApiClient, loadKubeconfig } from '../src/index.js';

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

// Over HTTPS against a test cluster: the kubeconfig's CA and admin client certificate, as kubectl uses them.
describeApiClientConformance('HttpApiClient', async () => {
  const cluster = await createTestCluster();
  const client = new HttpApiClient(loadKubeconfig(cluster.kubeconfigPath));
  const store = cluster.container.get(Store);
  return {
    client,
    compact: async () => store.compact(await store.currentRevision()),
    cleanup: async () => {
      client.close();
      await cluster.stop();
    },
  };
});
