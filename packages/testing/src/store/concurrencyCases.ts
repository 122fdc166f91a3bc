import { expect, it } from '@jest/globals';
import { ApiError, type Store } from '@tugboat/core';

import { EventCollector, expectApiError, type StoreCaseContext } from './storeHelpers.js';

/** Increments a JSON counter with a read-modify-write CAS loop; returns how many conflicts it met. */
async function increment(store: Store, key: string): Promise<number> {
  for (let conflicts = 0; ; conflicts++) {
    const current = await store.get(key);
    if (current === undefined) throw new Error(`${key} disappeared`);
    const { n } = JSON.parse(current.value) as { n: number };
    try {
      await store.update(key, JSON.stringify({ n: n + 1 }), current.modRevision);
      return conflicts;
    } catch (error) {
      if (!ApiError.is(error, 'Conflict')) throw error;
    }
  }
}

/** Concurrent writers, large values and unicode. */
export function concurrencyCases(ctx: () => StoreCaseContext): void {
  it('50 concurrent writers doing read-modify-write CAS loops on one key lose no update', async () => {
    const { store } = ctx();
    const start = (await store.create('/counter', JSON.stringify({ n: 0 }))).modRevision;
    const watch = new EventCollector(store.watch('/counter', start));
    const writers = 50;
    const rounds = 4;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let i = 0; i < rounds; i++) await increment(store, '/counter');
      }),
    );
    const final = await store.get('/counter');
    expect(JSON.parse(final?.value ?? '{}')).toEqual({ n: writers * rounds });
    // Every successful update is one event, each one higher than the last.
    const events = await watch.take(writers * rounds);
    watch.unsubscribe();
    expect(events.map((e) => (JSON.parse(e.kv.value) as { n: number }).n)).toEqual(
      Array.from({ length: writers * rounds }, (_, i) => i + 1),
    );
  });

  it('concurrent creates of one key: exactly one succeeds, the rest are AlreadyExists', async () => {
    const { store } = ctx();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => store.create('/race', String(i))),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(ApiError.is(r.reason, 'AlreadyExists')).toBe(true);
    }
    expect((await store.get('/race'))?.value).toBe(
      won[0]?.status === 'fulfilled' ? won[0].value.value : undefined,
    );
  });

  it('concurrent writes to different keys get distinct revisions matching currentRevision', async () => {
    const { store } = ctx();
    const written = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.create(`/par/${i}`, String(i))),
    );
    const revisions = written.map((kv) => kv.modRevision);
    expect(new Set(revisions).size).toBe(100);
    expect(await store.currentRevision()).toBe(Math.max(...revisions));
    expect((await store.list('/par/')).items).toHaveLength(100);
  });

  it('a 1 MiB value round-trips through create, get, update, list and watch', async () => {
    const { store } = ctx();
    const start = await store.currentRevision();
    const watch = new EventCollector(store.watch('/big/', start));
    const chunk = 'abcdefghijklmnopqrstuvwxyz0123456789\u00e9\u4e2d\ud83d\ude00"\\\n\t{}';
    const big = chunk.repeat(Math.ceil((1024 * 1024) / chunk.length)).slice(0, 1024 * 1024 - 1) + 'Z';
    const created = await store.create('/big/a', big);
    expect((await store.get('/big/a'))?.value).toBe(big);
    const bigger = big + big.slice(0, 1000);
    await store.update('/big/a', bigger, created.modRevision);
    expect((await store.get('/big/a'))?.value).toBe(bigger);
    expect((await store.list('/big/')).items[0]?.value).toBe(bigger);
    const [c, u] = await watch.take(2);
    watch.unsubscribe();
    expect(c?.kv.value).toBe(big);
    expect(u?.kv.value).toBe(bigger);
    expect(u?.prevKv?.value).toBe(big);
  });

  it('unicode keys and values round-trip through get, list and watch', async () => {
    const { store } = ctx();
    const start = await store.currentRevision();
    const watch = new EventCollector(store.watch('/ü/', start));
    const entries: [string, string][] = [
      ['/ü/日本語', 'こんにちは世界'],
      ['/ü/emoji-😀👍🏽', '👨‍👩‍👧‍👦 family'],
      ['/ü/e\u0301', 'combining e\u0301 vs \u00e9'],
      ['/ü/rtl-עברית', 'مرحبا "quoted" \\ back\nslash'],
    ];
    for (const [key, value] of entries) await store.create(key, value);
    for (const [key, value] of entries) expect((await store.get(key))?.value).toBe(value);
    const listed = new Map((await store.list('/ü/')).items.map((kv) => [kv.key, kv.value]));
    expect(listed).toEqual(new Map(entries));
    const events = await watch.take(entries.length);
    watch.unsubscribe();
    expect(events.map((e) => [e.kv.key, e.kv.value])).toEqual(entries);
    await expectApiError(() => store.create('/ü/日本語', 'again'), 'AlreadyExists');
  });
}
