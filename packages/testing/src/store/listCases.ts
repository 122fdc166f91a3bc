import { expect, it } from '@jest/globals';
import type { KeyValue, Store, StoreListOptions } from '@tugboat/core';

import { expectApiError, seed, type StoreCaseContext } from './storeHelpers.js';

/** Reads every page of a list, returning the pages. */
async function allPages(store: Store, prefix: string, options: StoreListOptions) {
  const pages = [await store.list(prefix, options)];
  for (let guard = 0; guard < 1000; guard++) {
    const token = pages.at(-1)?.continue;
    if (token === undefined) return pages;
    pages.push(await store.list(prefix, { limit: options.limit ?? 0, continue: token }));
  }
  throw new Error('list did not terminate');
}

const keysOf = (items: readonly KeyValue[]): string[] => items.map((kv) => kv.key);

/** Prefix lists, ordering, pagination at a consistent revision, and reads at past revisions. */
export function listCases(ctx: () => StoreCaseContext): void {
  it('lists the keys under a prefix in key order, whatever the insertion order', async () => {
    const { store } = ctx();
    for (const name of ['m', 'b', 'z', 'a', 'k', 'a0', 'b/c']) await store.create(`/l/${name}`, name);
    const { items } = await store.list('/l/');
    expect(keysOf(items)).toEqual(['/l/a', '/l/a0', '/l/b', '/l/b/c', '/l/k', '/l/m', '/l/z']);
    expect(items.map((kv) => kv.value)).toEqual(['a', 'a0', 'b', 'b/c', 'k', 'm', 'z']);
  });

  it('orders keys by code point (UTF-8 byte order), as etcd does', async () => {
    const { store } = ctx();
    const names = ['😀', '\ufffd', '中', 'é', 'Z', 'a'];
    for (const name of names) await store.create(`/u/${name}`, name);
    const { items } = await store.list('/u/');
    expect(items.map((kv) => kv.value)).toEqual(['Z', 'a', 'é', '中', '\ufffd', '😀']);
  });

  it('a prefix does not leak into a sibling prefix (/a/b/ vs /a/bc/)', async () => {
    const { store } = ctx();
    await store.create('/a/b/1', 'in');
    await store.create('/a/b/2', 'in');
    await store.create('/a/bc/1', 'sibling');
    await store.create('/a/b', 'parent');
    await store.create('/a/c/1', 'other');
    expect(keysOf((await store.list('/a/b/')).items)).toEqual(['/a/b/1', '/a/b/2']);
    expect(keysOf((await store.list('/a/bc/')).items)).toEqual(['/a/bc/1']);
    expect(keysOf((await store.list('/a/b/', { limit: 1 })).items)).toEqual(['/a/b/1']);
  });

  it('lists only live keys, with their latest values and revisions', async () => {
    const { store } = ctx();
    const a = await store.create('/live/a', '1');
    const b = await store.create('/live/b', '1');
    await store.create('/live/c', '1');
    const a2 = await store.update('/live/a', '2', a.modRevision);
    await store.delete('/live/c');
    expect((await store.list('/live/')).items).toEqual([a2, b]);
  });

  it('a list reports the current revision it was read at', async () => {
    const { store } = ctx();
    await seed(store, '/rev/', 3);
    const unrelated = await store.create('/elsewhere', 'x');
    const result = await store.list('/rev/');
    expect(result.revision).toBe(unrelated.modRevision);
    expect(result.continue).toBeUndefined();
    expect((await store.list('/nothing-here/')).revision).toBe(unrelated.modRevision);
  });

  it('pages with limit and continue cover every key exactly once, in order', async () => {
    const { store } = ctx();
    await seed(store, '/p/', 7);
    const pages = await allPages(store, '/p/', { limit: 3 });
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((p) => keysOf(p.items))).toEqual(keysOf((await store.list('/p/')).items));
    expect(new Set(pages.map((p) => p.revision)).size).toBe(1);
  });

  it('continued pages read the first page revision even when writes happen between pages', async () => {
    const { store } = ctx();
    await seed(store, '/pc/', 6);
    const before = (await store.list('/pc/')).items;
    const first = await store.list('/pc/', { limit: 2 });
    const token = first.continue;
    expect(token).toBeDefined();
    // Every kind of write lands after the first page: inside and beyond what was already read.
    const k4 = before[4] as KeyValue;
    await store.update(k4.key, 'changed', k4.modRevision);
    await store.delete((before[3] as KeyValue).key);
    await store.create('/pc/002a', 'new');
    await store.create('/pc/999', 'new');
    const rest = await allPages(store, '/pc/', { limit: 2, continue: token as string });
    const seen = [...first.items, ...rest.flatMap((p) => p.items)];
    expect(seen).toEqual(before);
    for (const page of rest) expect(page.revision).toBe(first.revision);
    expect(keysOf((await store.list('/pc/')).items)).toContain('/pc/999');
  });

  it('a limit at least the number of keys returns everything and no continue token', async () => {
    const { store } = ctx();
    await seed(store, '/lim/', 4);
    const exact = await store.list('/lim/', { limit: 4 });
    expect(exact.items).toHaveLength(4);
    expect(exact.continue).toBeUndefined();
    const larger = await store.list('/lim/', { limit: 100 });
    expect(larger.items).toHaveLength(4);
    expect(larger.continue).toBeUndefined();
  });

  it('a list at a past revision shows the state at that revision', async () => {
    const { store } = ctx();
    const a = await store.create('/past/a', 'a1');
    const b = await store.create('/past/b', 'b1');
    const at = await store.currentRevision();
    await store.update('/past/a', 'a2', a.modRevision);
    await store.delete('/past/b');
    await store.create('/past/c', 'c1');
    const past = await store.list('/past/', { revision: at });
    expect(past.items).toEqual([a, b]);
    expect(past.revision).toBe(at);
    const beforeB = await store.list('/past/', { revision: a.modRevision });
    expect(beforeB.items).toEqual([a]);
    expect(keysOf((await store.list('/past/')).items)).toEqual(['/past/a', '/past/c']);
  });

  it('paginates at a past revision', async () => {
    const { store } = ctx();
    await seed(store, '/pp/', 5);
    const at = await store.currentRevision();
    const before = (await store.list('/pp/')).items;
    await store.delete('/pp/001');
    await store.create('/pp/0005', 'late');
    const pages = await allPages(store, '/pp/', { limit: 2, revision: at });
    expect(pages.flatMap((p) => p.items)).toEqual(before);
    for (const page of pages) expect(page.revision).toBe(at);
  });

  it('a malformed continue token is BadRequest', async () => {
    const { store } = ctx();
    await seed(store, '/bad/', 3);
    await expectApiError(() => store.list('/bad/', { limit: 1, continue: 'not a token!' }), 'BadRequest');
    await expectApiError(() => store.list('/bad/', { limit: 1, continue: 'AAAA' }), 'BadRequest');
    const junk = Buffer.from('{"hello":"world"}').toString('base64url');
    await expectApiError(() => store.list('/bad/', { limit: 1, continue: junk }), 'BadRequest');
    expect((await store.list('/bad/')).items).toHaveLength(3);
  });
}
