import { expect, it } from '@jest/globals';

import { EventCollector, expectApiError, seed, type StoreCaseContext } from './storeHelpers.js';

/** Compaction: what stays readable, and `Gone` for what does not. */
export function compactionCases(ctx: () => StoreCaseContext): void {
  it('compaction keeps the current state and revision', async () => {
    const { store } = ctx();
    await seed(store, '/cp/', 4);
    const kv = await store.get('/cp/001');
    const before = await store.list('/cp/');
    await store.compact(before.revision);
    expect(await store.currentRevision()).toBe(before.revision);
    expect(await store.get('/cp/001')).toEqual(kv);
    expect((await store.list('/cp/')).items).toEqual(before.items);
    const next = await store.update('/cp/001', 'after', kv?.modRevision ?? 0);
    expect(next.modRevision).toBeGreaterThan(before.revision);
  });

  it('a list at a revision older than the compaction is Gone', async () => {
    const { store } = ctx();
    const revisions = await seed(store, '/cg/', 5);
    await store.compact(revisions[4] as number);
    await expectApiError(() => store.list('/cg/', { revision: revisions[1] as number }), 'Gone');
    await expectApiError(() => store.list('/cg/', { revision: revisions[0] as number, limit: 1 }), 'Gone');
    expect((await store.list('/cg/')).items).toHaveLength(5);
  });

  it('a watch from a revision older than the compaction errors with Gone', async () => {
    const { store } = ctx();
    const revisions = await seed(store, '/wg/', 5);
    await store.compact(revisions[4] as number);
    const watch = new EventCollector(store.watch('/wg/', revisions[1]));
    const error = await watch.waitForError();
    expect((error as { code?: unknown }).code).toBe('Gone');
    expect(watch.events).toEqual([]);
  });

  it('a watch from the compaction revision replays everything after it', async () => {
    const { store } = ctx();
    const revisions = await seed(store, '/wc/', 3);
    const at = revisions[2] as number;
    const later = await seed(store, '/wc/z', 2);
    await store.compact(at);
    const watch = new EventCollector(store.watch('/wc/', at));
    const live = await store.create('/wc/live', 'x');
    const events = await watch.take(3);
    watch.unsubscribe();
    expect(events.map((e) => e.kv.modRevision)).toEqual([...later, live.modRevision]);
  });

  it('a continue token from before a compaction is Gone', async () => {
    const { store } = ctx();
    await seed(store, '/ct/', 4);
    const first = await store.list('/ct/', { limit: 2 });
    await store.create('/ct/late', 'x');
    await store.compact(await store.currentRevision());
    await expectApiError(() => store.list('/ct/', { limit: 2, continue: first.continue ?? '' }), 'Gone');
    expect((await store.list('/ct/')).items).toHaveLength(5);
  });
}
