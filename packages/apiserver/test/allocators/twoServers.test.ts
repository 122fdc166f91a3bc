import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { startEtcd, type EtcdHandle } from '@tugboat/testing';
import { EtcdStore } from '@tugboat/store-etcd';
import { MemoryStore } from '@tugboat/store-memory';

import { hammer, testServer } from './twoServers.js';

describe('two API servers on one store-memory', () => {
  it('never hand one cluster IP or NodePort to two Services, and fail clearly', async () => {
    const store = new MemoryStore();
    const a = testServer(store);
    const b = testServer(store);
    try {
      await hammer(store, a, b, 1);
    } finally {
      await a.close();
      await b.close();
      await store.close();
    }
  });
});

describe('two API servers on one etcd', () => {
  let etcd: EtcdHandle | undefined;
  const stores: EtcdStore[] = [];

  beforeAll(async () => {
    etcd = await startEtcd({ mode: 'process' });
  }, 60_000);

  afterAll(async () => {
    for (const s of stores.splice(0)) await s.close();
    await etcd?.stop();
  });

  it('never hand one cluster IP or NodePort to two Services, and fail clearly', async () => {
    // One connection per server, as two `tug control-plane` processes have.
    const storeA = await EtcdStore.connect({ endpoints: [etcd?.endpoints ?? ''] });
    stores.push(storeA);
    const storeB = await EtcdStore.connect({ endpoints: [etcd?.endpoints ?? ''] });
    stores.push(storeB);
    const a = testServer(storeA);
    const b = testServer(storeB);
    try {
      await hammer(storeA, a, b, 2);
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
