import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError, type corev1 } from '@tugboat/core';
import { firstValueFrom, take, toArray } from 'rxjs';

import { jsonCopy } from '../src/internal/jsonCopy.js';
import { Pods, newApiserver, pod } from './harness.js';

describe('jsonCopy', () => {
  it('copies as a JSON round trip would, sharing nothing with the original', () => {
    const when = new Date('2026-11-27T10:00:00.000Z');
    const original = {
      a: 1,
      gone: undefined,
      fn: () => 1,
      list: [1, undefined, 'x', { b: [true, null] }],
      nested: { when, nan: Number.NaN, inf: Number.POSITIVE_INFINITY },
    };
    const copy = jsonCopy(original);
    expect(copy).toStrictEqual(JSON.parse(JSON.stringify(original)));
    expect(copy.list[3]).not.toBe(original.list[3]);
    expect(Object.keys(copy)).toEqual(['a', 'list', 'nested']);
  });

  it('keeps a __proto__ member as data instead of setting the prototype', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":true},"x":1}') as Record<string, unknown>;
    const copy = jsonCopy(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(parsed));
  });

  it('rejects what JSON cannot hold (BigInt, cycles) with BadRequest', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    for (const bad of [{ n: 1n }, cyclic]) {
      let caught: unknown;
      try {
        jsonCopy(bad);
      } catch (err) {
        caught = err;
      }
      expect(ApiError.is(caught, 'BadRequest')).toBe(true);
    }
  });
});

describe('the write path shares one object between the store, the response and the watch', () => {
  let api: Awaited<ReturnType<typeof newApiserver>>;
  beforeEach(async () => {
    api = await newApiserver();
  });
  afterEach(async () => api.close());

  /** What a read of the stored object decodes to. */
  const stored = async (name: string): Promise<corev1.Pod> =>
    api.client.get(Pods, name, { namespace: 'default' });

  it('delivers watch events and responses equal to a fresh read, key order included, and never shared', async () => {
    const rv = String(await api.store.currentRevision());
    const events = firstValueFrom(
      api.client.watch(Pods, { namespace: 'default', resourceVersion: rv }).pipe(take(3), toArray()),
    );
    const body = pod('shared');
    (body.spec as { nodeName?: string | undefined }).nodeName = undefined;
    const created = await api.client.create(Pods, body);
    await api.client.createSubresource(
      Pods,
      'shared',
      'binding',
      { metadata: { name: 'shared' }, target: { kind: 'Node', name: 'node-1' } },
      { namespace: 'default' },
    );
    const bound = await stored('shared');
    const updated = await api.client.update(Pods, {
      ...bound,
      metadata: { ...bound.metadata, labels: { app: 'web' } },
    });
    const [added, binding, relabelled] = await events;

    expect(added?.type).toBe('ADDED');
    expect(JSON.stringify(added?.object)).toBe(JSON.stringify(created));
    expect('nodeName' in (created.spec ?? {})).toBe(false);
    expect(binding?.object.spec?.nodeName).toBe('node-1');
    expect(JSON.stringify(binding?.object)).toBe(JSON.stringify(bound));
    expect(JSON.stringify(relabelled?.object)).toBe(JSON.stringify(await stored('shared')));
    expect(JSON.stringify(updated)).toBe(JSON.stringify(await stored('shared')));
    expect(Object.keys(updated.metadata ?? {}).at(-1)).toBe('resourceVersion');

    // The caller owns what it gets: changing it changes neither the store nor another reader.
    (updated.metadata as { labels: Record<string, string> }).labels['app'] = 'mutated';
    (relabelled?.object.metadata as { labels: Record<string, string> }).labels['app'] = 'mutated too';
    expect((await stored('shared')).metadata?.labels).toEqual({ app: 'web' });
  });

  it('keeps the caller body untouched when an update is retried after a conflict', async () => {
    await api.client.create(Pods, pod('retry'));
    const body = await stored('retry');
    const unconditional = { ...body, metadata: { ...body.metadata, labels: { v: '1' } } } as corev1.Pod;
    delete (unconditional.metadata as { resourceVersion?: string }).resourceVersion;
    const snapshot = JSON.stringify(unconditional);
    await Promise.all([
      api.client.patch(
        Pods,
        'retry',
        'merge',
        { metadata: { annotations: { a: 'b' } } },
        { namespace: 'default' },
      ),
      api.client.update(Pods, unconditional),
    ]);
    expect(JSON.stringify(unconditional)).toBe(snapshot);
    expect((await stored('retry')).metadata?.labels).toEqual({ v: '1' });
  });
});
