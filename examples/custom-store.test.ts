import { afterAll, describe, expect, it } from '@jest/globals';
import { ApiError, resources } from '@tugboat/core';
import { describeStoreConformance } from '@tugboat/testing';

import { LogStore, startApiOnLogStore } from './custom-store.js';

// The same suite store-memory and store-etcd run: nothing in it is skipped for this store.
describeStoreConformance('examples/custom-store LogStore', () => Promise.resolve({ store: new LogStore() }));

describe('examples/custom-store behind the API server', () => {
  const { api, stop } = startApiOnLogStore();
  afterAll(stop);

  it('stores, lists and watches objects through the registry', async () => {
    const created = await api.create(resources.ConfigMaps, {
      metadata: { name: 'a', namespace: 'default' },
      data: { k: 'v' },
    });
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    const list = await api.list(resources.ConfigMaps, { namespace: 'default' });
    expect(list.items.map((c) => c.metadata?.name)).toEqual(['a']);
  });

  it('lets the registry reject invalid objects without storing anything', async () => {
    const err = await api
      .create(resources.ConfigMaps, { metadata: { name: 'Not_Valid', namespace: 'default' } })
      .catch((e: unknown) => e);
    expect(ApiError.is(err, 'Invalid')).toBe(true);
    const list = await api.list(resources.ConfigMaps, { namespace: 'default' });
    expect(list.items.map((c) => c.metadata?.name)).toEqual(['a']);
  });
});
