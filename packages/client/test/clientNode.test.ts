import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { CoreV1Api, KubeConfig, makeInformer, type Informer, type V1Pod } from '@kubernetes/client-node';
import { resources, silentLogger, type corev1 } from '@tugboat/core';
import {
  InProcessApiClient,
  Registry,
  ResourceRegistry,
  startApiServer,
  type RunningApiServer,
} from '@tugboat/apiserver';
import { MemoryStore } from '@tugboat/store-memory';

async function until(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const pod = (name: string): corev1.Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

describe('@kubernetes/client-node against the HTTP front', () => {
  let store: MemoryStore;
  let registry: Registry;
  let server: RunningApiServer;
  let client: InProcessApiClient;
  let informer: Informer<V1Pod> | undefined;
  const log: string[] = [];
  let finished = false;

  beforeAll(async () => {
    store = new MemoryStore();
    registry = new Registry(store, new ResourceRegistry(), silentLogger);
    server = await startApiServer({ registry });
    client = new InProcessApiClient(registry);
  });
  afterAll(async () => {
    finished = true;
    await informer?.stop();
    await server.close();
    await store.close();
  });

  it('makeInformer on pods sees add, update and delete, and recovers after a forced 410', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'tug', server: server.url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'any' }],
      contexts: [{ name: 'c', cluster: 'tug', user: 'u' }],
      currentContext: 'c',
    });
    const api = kc.makeApiClient(CoreV1Api);
    let lists = 0;
    const pods = makeInformer(kc, '/api/v1/namespaces/default/pods', () => {
      lists++;
      return api.listNamespacedPod({ namespace: 'default' });
    });
    informer = pods;
    pods.on('add', (p) => log.push(`add ${p.metadata?.name}`));
    pods.on('update', (p) =>
      log.push(`update ${p.metadata?.name} ${JSON.stringify(p.metadata?.labels ?? {})}`),
    );
    pods.on('delete', (p) => log.push(`delete ${p.metadata?.name}`));
    // The documented pattern: restart the informer after an error (here: the server going away).
    pods.on('error', () => {
      if (!finished) setTimeout(() => void pods.start().catch(() => undefined), 100);
    });

    await client.create(resources.Pods, pod('before'));
    await pods.start();
    await until(() => log.includes('add before'), 'the listed pod');

    await client.create(resources.Pods, pod('a'));
    await until(() => log.includes('add a'), 'add');
    await client.patch(
      resources.Pods,
      'a',
      'merge',
      { metadata: { labels: { v: '2' } } },
      { namespace: 'default' },
    );
    await until(() => log.includes('update a {"v":"2"}'), 'update');
    await client.delete(resources.Pods, 'a', { namespace: 'default', gracePeriodSeconds: 0 });
    await until(() => log.includes('delete a'), 'delete');

    // Force a 410: take the server away, change pods and compact past the informer's
    // resourceVersion, then serve again on the same port. Its re-watch gets ERROR 410 and it relists.
    const port = server.port;
    await server.close();
    await client.create(resources.Pods, pod('offline'));
    await client.delete(resources.Pods, 'before', { namespace: 'default', gracePeriodSeconds: 0 });
    await store.compact(await store.currentRevision());
    server = await startApiServer({ registry, port });

    await until(() => log.includes('add offline') && log.includes('delete before'), 'the relist after 410');
    expect(pods.list().map((p) => p.metadata?.name)).toEqual(['offline']);
    // A second list happens only because the re-watch from the old resourceVersion got 410.
    expect(lists).toBe(2);
    await client.create(resources.Pods, pod('after'));
    await until(() => log.includes('add after'), 'events after the relist');
  }, 60_000);
});
