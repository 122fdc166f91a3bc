import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, type StoreEvent } from '@tugboat/core';
import { startEtcd, type EtcdHandle } from '@tugboat/testing';
import { Etcd3 } from 'etcd3';
import { firstValueFrom, take, toArray } from 'rxjs';

import { EtcdStore } from '../src/index.js';

let etcd: EtcdHandle | undefined;
let store: EtcdStore;
let raw: Etcd3 | undefined;
let endpoints = '';

beforeAll(async () => {
  etcd = await startEtcd({ mode: 'process' });
  store = await EtcdStore.connect({ endpoints: [etcd.endpoints] });
  raw = new Etcd3({ hosts: `http://${etcd.endpoints}` });
  endpoints = etcd.endpoints;
});

afterAll(async () => {
  raw?.close();
  await (store as EtcdStore | undefined)?.close();
  await etcd?.stop();
});

/** Collects the first `n` events of a watch. */
function collect(prefix: string, after: number | undefined, n: number): Promise<StoreEvent[]> {
  return firstValueFrom(store.watch(prefix, after).pipe(take(n), toArray()));
}

describe('EtcdStore on etcd', () => {
  it('writes store keys under the /registry prefix in etcd', async () => {
    await store.create('/core/pods/ns/a', '{"a":1}');
    expect(await raw?.get('/registry/core/pods/ns/a').string()).toBe('{"a":1}');
  });

  it('uses etcd mod_revision as the revision and keeps create_revision across updates', async () => {
    const created = await store.create('/rev/a', 'v1');
    const updated = await store.update('/rev/a', 'v2', created.modRevision);
    const rawKv = (await raw?.get('/registry/rev/a').exec())?.kvs[0];
    expect(updated.modRevision).toBe(Number(rawKv?.mod_revision));
    expect(updated.createRevision).toBe(created.createRevision);
    expect(updated.modRevision).toBeGreaterThan(created.modRevision);
    expect(await store.get('/rev/a')).toEqual(updated);
  });

  it('reports AlreadyExists, Conflict and NotFound from the guarded transactions', async () => {
    const kv = await store.create('/cas/a', 'v1');
    await expect(store.create('/cas/a', 'again')).rejects.toMatchObject({ code: 'AlreadyExists' });
    await expect(store.update('/cas/a', 'v2', kv.modRevision - 1)).rejects.toMatchObject({
      code: 'Conflict',
    });
    await expect(store.update('/cas/missing', 'v', 0)).rejects.toMatchObject({ code: 'NotFound' });
    await expect(store.update('/cas/missing', 'v', 5)).rejects.toMatchObject({ code: 'NotFound' });
    expect(await store.get('/cas/missing')).toBeUndefined();
    await expect(store.delete('/cas/a', kv.modRevision + 100)).rejects.toMatchObject({ code: 'Conflict' });
    const deleted = await store.delete('/cas/a', kv.modRevision);
    expect(deleted.value).toBe('v1');
    expect(deleted.modRevision).toBe(await store.currentRevision());
    await expect(store.delete('/cas/a')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('pages a list at one revision even while keys change', async () => {
    for (let i = 0; i < 5; i++) await store.create(`/page/${i}`, `v${i}`);
    const first = await store.list('/page/', { limit: 2 });
    expect(first.items.map((i) => i.key)).toEqual(['/page/0', '/page/1']);
    expect(first.remaining).toBe(3);
    await store.create('/page/5', 'late');
    await store.delete('/page/4');
    const second = await store.list('/page/', { limit: 2, continue: first.continue! });
    const third = await store.list('/page/', { limit: 2, continue: second.continue! });
    expect(second.revision).toBe(first.revision);
    expect([...second.items, ...third.items].map((i) => i.key)).toEqual(['/page/2', '/page/3', '/page/4']);
    expect(third.continue).toBeUndefined();
  });

  it('rejects a malformed or foreign continue token with BadRequest', async () => {
    await expect(store.list('/page/', { continue: 'not a token!' })).rejects.toMatchObject({
      code: 'BadRequest',
    });
    await expect(
      store.list('/page/', { continue: Buffer.from('{"x":1}').toString('base64url') }),
    ).rejects.toMatchObject({
      code: 'BadRequest',
    });
    const other = await store.list('/rev/', { limit: 1 });
    await store.create('/rev/b', 'x');
    const token = (await store.list('/rev/', { limit: 1 })).continue!;
    expect(other).toBeDefined();
    await expect(store.list('/page/', { continue: token })).rejects.toMatchObject({ code: 'BadRequest' });
  });

  it('watches from a revision with previous values, in order', async () => {
    const a = await store.create('/w1/a', '1');
    const events = collect('/w1/', a.modRevision - 1, 3);
    const b = await store.update('/w1/a', '2', a.modRevision);
    await store.delete('/w1/a', b.modRevision);
    const seen = await events;
    expect(seen.map((e) => e.type)).toEqual(['create', 'update', 'delete']);
    expect(seen[1]!.prevKv?.value).toBe('1');
    expect(seen[2]!.kv.value).toBe('2');
    expect(seen[2]!.prevKv?.value).toBe('2');
    expect(seen.map((e) => e.kv.modRevision)).toEqual([a.modRevision, b.modRevision, b.modRevision + 1]);
  });

  it('rejects a value over etcd request limit before sending it', async () => {
    const err = (await store.create('/big/a', 'x'.repeat(1_600_000)).catch((e: unknown) => e)) as ApiError;
    expect(ApiError.is(err, 'RequestEntityTooLarge')).toBe(true);
    expect(err.message).toMatch(/1600000 bytes.*--max-request-bytes/);
    expect(await store.get('/big/a')).toBeUndefined();
  });

  it('translates etcd refusing an oversized request', async () => {
    const lax = await EtcdStore.connect({ endpoints: [endpoints], maxRequestBytes: 64 * 1024 * 1024 });
    try {
      for (const size of [1_600_000, 3_000_000]) {
        const err = await lax.create(`/big/${size}`, 'x'.repeat(size)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ApiError);
        expect((err as ApiError).code).toBe('RequestEntityTooLarge');
        expect((err as Error).message).toMatch(/^etcd create/);
      }
    } finally {
      await lax.close();
    }
  });

  it('compacts physically: older reads and watches are Gone', async () => {
    const a = await store.create('/gone/a', '1');
    await store.update('/gone/a', '2', a.modRevision);
    const now = await store.currentRevision();
    await store.compact(now);
    await store.compact(now); // idempotent
    await expect(store.list('/gone/', { revision: a.modRevision })).rejects.toMatchObject({ code: 'Gone' });
    await expect(firstValueFrom(store.watch('/gone/', a.modRevision))).rejects.toMatchObject({
      code: 'Gone',
    });
    await expect(firstValueFrom(store.watch('/gone/', now - 1))).rejects.toMatchObject({ code: 'Gone' });
    expect((await store.list('/gone/', { revision: now })).items).toHaveLength(1);
    await expect(store.compact(now + 1000)).rejects.toMatchObject({ code: 'Invalid' });
  });

  it('runs the periodic compaction job, compacting to the revision seen one interval earlier', async () => {
    const compacting = await EtcdStore.connect({ endpoints: [endpoints], compactionIntervalMs: 100 });
    try {
      const before = await compacting.create('/auto/a', '1');
      await compacting.update('/auto/a', '2', before.modRevision);
      const deadline = Date.now() + 20_000;
      let gone = false;
      while (!gone && Date.now() < deadline) {
        gone = await compacting.list('/auto/', { revision: before.modRevision }).then(
          () => false,
          (err: unknown) => ApiError.is(err, 'Gone'),
        );
        if (!gone) await new Promise((r) => setTimeout(r, 50));
      }
      expect(gone).toBe(true);
      expect((await compacting.get('/auto/a'))?.value).toBe('2');
    } finally {
      await compacting.close();
    }
  });

  it('rejects bad arguments with Invalid and stores nothing', async () => {
    await expect(store.create('', 'v')).rejects.toMatchObject({ code: 'Invalid' });
    await expect(store.create('/bad/\ud800', 'v')).rejects.toMatchObject({ code: 'Invalid' });
    await expect(store.update('/bad/a', 'v', -1)).rejects.toMatchObject({ code: 'Invalid' });
    await expect(store.list('/bad/', { limit: 1.5 })).rejects.toMatchObject({ code: 'Invalid' });
    expect((await store.list('/bad/')).items).toEqual([]);
  });
});
