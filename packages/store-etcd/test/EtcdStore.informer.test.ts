import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ApiError, ListWatchInformer, silentLogger, type ResourceRef, type corev1 } from '@tugboat/core';
import { startEtcd, type EtcdHandle } from '@tugboat/testing';

import { EtcdStore } from '../src/index.js';
import { eventually } from './faultHarness.js';
import { StoreListWatchClient } from './StoreListWatchClient.js';
import { TcpProxy } from './TcpProxy.js';

const configMaps: ResourceRef<corev1.ConfigMap> = {
  group: '',
  version: 'v1',
  plural: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
};

const cleanups: (() => Promise<void> | void)[] = [];
let server: EtcdHandle;

beforeAll(async () => {
  server = await startEtcd({ mode: 'process' });
  cleanups.push(() => server.stop());
});

afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function configMap(name: string, data: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'ns' },
    data: { v: data },
  });
}

it("core's informer relists after etcd compacted past its watch and ends equal to the store", async () => {
  const proxy = await TcpProxy.start(server.endpoints);
  cleanups.push(() => proxy.close());
  const direct = await EtcdStore.connect({ endpoints: [server.endpoints] });
  cleanups.push(() => direct.close());
  const viaProxy = await EtcdStore.connect({ endpoints: [proxy.endpoint] });
  cleanups.push(() => viaProxy.close());

  for (let i = 0; i < 20; i++) await direct.create(`/configmaps/ns/cm-${i}`, configMap(`cm-${i}`, 'v0'));
  const client = new StoreListWatchClient(viaProxy);
  const informer = new ListWatchInformer(
    client,
    configMaps,
    silentLogger,
    {},
    { pageSize: 7, backoffBaseMs: 20 },
  );
  cleanups.push(() => informer.stop());
  await informer.start();
  expect(informer.cache.list()).toHaveLength(20);
  const probe = await direct.create('/configmaps/ns/probe', configMap('probe', 'x'));
  await eventually('the informer watching', () => informer.resourceVersion === String(probe.modRevision));

  // Cut the informer off, change things behind its back, and compact them away.
  proxy.cut();
  for (let i = 0; i < 10; i++) {
    const kv = await direct.get(`/configmaps/ns/cm-${i}`);
    if (kv) await direct.update(kv.key, configMap(`cm-${i}`, 'v1'), kv.modRevision);
  }
  for (let i = 10; i < 15; i++) await direct.delete(`/configmaps/ns/cm-${i}`);
  for (let i = 20; i < 25; i++) await direct.create(`/configmaps/ns/cm-${i}`, configMap(`cm-${i}`, 'new'));
  const compactedAt = await direct.currentRevision();
  await direct.compact(compactedAt);
  proxy.heal();

  const stored = async (): Promise<string[]> =>
    (await direct.list('/configmaps/ns/')).items.map(
      (kv) => `${kv.key.split('/').at(-1) ?? ''}@${kv.modRevision}`,
    );
  const cached = (): string[] =>
    informer.cache
      .list()
      .map((o) => `${o.metadata?.name ?? ''}@${o.metadata?.resourceVersion ?? ''}`)
      .sort();
  await eventually('the informer cache equal to the store', async () => {
    const want = (await stored()).sort();
    return JSON.stringify(cached()) === JSON.stringify(want);
  });
  expect(client.watchErrors.some((e) => ApiError.is(e, 'Gone'))).toBe(true);
  expect(Number(informer.resourceVersion)).toBeGreaterThanOrEqual(compactedAt);
  expect(informer.cache.list().find((o) => o.metadata?.name === 'cm-3')?.data).toEqual({ v: 'v1' });
});
