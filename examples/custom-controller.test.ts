import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, type ApiClient } from '@tugboat/core';

import { Greetings, startCluster } from './custom-controller.js';

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('examples/custom-controller', () => {
  let cluster: { api: ApiClient; stop: () => Promise<void> | void };
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('reconciles a new Greeting into its status', async () => {
    await cluster.api.create(Greetings, {
      metadata: { name: 'a', namespace: 'default' },
      spec: { name: 'world' },
    });
    const message = await until(
      async () => (await cluster.api.get(Greetings, 'a', { namespace: 'default' })).status?.message,
    );
    expect(message).toBe('Hello, world!');
  });

  it('follows a change of the spec', async () => {
    const created = await cluster.api.create(Greetings, {
      metadata: { name: 'b', namespace: 'default' },
      spec: { name: 'x' },
    });
    await until(
      async () => (await cluster.api.get(Greetings, 'b', { namespace: 'default' })).status?.message,
    );
    await cluster.api.patch(Greetings, 'b', 'merge', { spec: { name: 'y' } }, { namespace: 'default' });
    const message = await until(async () => {
      const m = (await cluster.api.get(Greetings, 'b', { namespace: 'default' })).status?.message;
      return m === 'Hello, y!' ? m : undefined;
    });
    expect(message).toBe('Hello, y!');
    expect(created.metadata?.uid).toBeDefined();
  });

  it('rejects a Greeting that breaks the CRD schema, storing nothing', async () => {
    const err = await cluster.api
      .create(Greetings, { metadata: { name: 'bad', namespace: 'default' }, spec: {} as never })
      .catch((e: unknown) => e);
    expect(ApiError.is(err, 'Invalid')).toBe(true);
    await expect(cluster.api.get(Greetings, 'bad', { namespace: 'default' })).rejects.toMatchObject({
      code: 'NotFound',
    });
  });
});
