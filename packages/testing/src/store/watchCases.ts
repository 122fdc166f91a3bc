import { expect, it } from '@jest/globals';

import { describeEvent, EventCollector, seed, type StoreCaseContext } from './storeHelpers.js';

/** Watch ordering, replay from a revision, prefix filtering, unsubscription and close. */
export function watchCases(ctx: () => StoreCaseContext): void {
  it('delivers create, update and delete events in revision order', async () => {
    const { store } = ctx();
    const start = await store.currentRevision();
    const watch = new EventCollector(store.watch('/w/', start));
    const a = await store.create('/w/a', '1');
    const b = await store.create('/w/b', '1');
    const a2 = await store.update('/w/a', '2', a.modRevision);
    const bDel = await store.delete('/w/b');
    const events = await watch.take(4);
    watch.unsubscribe();
    expect(events.map((e) => e.type)).toEqual(['create', 'create', 'update', 'delete']);
    expect(events.map((e) => e.kv.modRevision)).toEqual([
      a.modRevision,
      b.modRevision,
      a2.modRevision,
      bDel.modRevision,
    ]);
    expect(events[0]?.kv).toEqual(a);
    expect(events[2]?.kv).toEqual(a2);
  });

  it('update events carry prevKv; delete events carry the last value and prevKv', async () => {
    const { store } = ctx();
    const start = await store.currentRevision();
    const watch = new EventCollector(store.watch('/prev/', start));
    const created = await store.create('/prev/x', 'one');
    const updated = await store.update('/prev/x', 'two', created.modRevision);
    const deleted = await store.delete('/prev/x', updated.modRevision);
    const [, update, del] = await watch.take(3);
    watch.unsubscribe();
    expect(update?.prevKv).toEqual(created);
    expect(update?.kv).toEqual(updated);
    expect(del?.type).toBe('delete');
    expect(del?.kv.value).toBe('two');
    expect(del?.kv.modRevision).toBe(deleted.modRevision);
    expect(del?.kv.createRevision).toBe(created.createRevision);
    expect(del?.prevKv).toEqual(updated);
  });

  it('replays exactly the events after afterRevision, then live ones, with no duplicates', async () => {
    const { store } = ctx();
    const revisions = await seed(store, '/rp/', 10);
    const from = revisions[4] as number;
    const watch = new EventCollector(store.watch('/rp/', from));
    const live = await store.create('/rp/live', 'x');
    // A later sentinel proves nothing extra was delivered between the replay and the live event.
    const sentinel = await store.create('/rp/sentinel', 'end');
    const events = await watch.take(7);
    watch.unsubscribe();
    expect(events.map((e) => e.kv.modRevision)).toEqual([
      ...revisions.slice(5),
      live.modRevision,
      sentinel.modRevision,
    ]);
    expect(watch.events).toHaveLength(7);
  });

  it('filters by prefix: sibling prefixes are not delivered', async () => {
    const { store } = ctx();
    const start = await store.currentRevision();
    const watch = new EventCollector(store.watch('/f/b/', start));
    await store.create('/f/bc/1', 'sibling');
    await store.create('/f/b', 'parent');
    const inside = await store.create('/f/b/1', 'in');
    await store.create('/f/c/1', 'other');
    const last = await store.create('/f/b/2', 'in');
    const events = await watch.take(2);
    watch.unsubscribe();
    expect(events.map((e) => e.kv.key)).toEqual(['/f/b/1', '/f/b/2']);
    expect(events.map((e) => e.kv.modRevision)).toEqual([inside.modRevision, last.modRevision]);
  });

  it('without afterRevision, a watch starts from now', async () => {
    const { store } = ctx();
    const old = await store.create('/now/old', 'before the watch');
    const watch = new EventCollector(store.watch('/now/'));
    // A remote store's watch may open a moment later: keep writing until it reports something.
    for (let i = 0; watch.events.length === 0 && i < 5000; i++) {
      await store.create(`/now/${String(i).padStart(4, '0')}`, 'after');
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const first = await watch.take(1);
    watch.unsubscribe();
    expect(first[0]?.kv.key).not.toBe(old.key);
    expect(first[0]?.kv.modRevision).toBeGreaterThan(old.modRevision);
  });

  it('a watch from a future revision delivers only what comes after it', async () => {
    const { store } = ctx();
    const now = await store.currentRevision();
    const watch = new EventCollector(store.watch('/fut/', now + 1));
    await store.create('/fut/a', 'not delivered');
    const b = await store.create('/fut/b', 'delivered');
    const [event] = await watch.take(1);
    watch.unsubscribe();
    expect(event?.kv).toEqual(b);
  });

  it('every watcher gets the whole stream, independently', async () => {
    const { store } = ctx();
    const start = await store.currentRevision();
    const watches = Array.from({ length: 5 }, () => new EventCollector(store.watch('/many/', start)));
    const written = [];
    for (let i = 0; i < 10; i++) written.push(await store.create(`/many/${i}`, String(i)));
    watches[0]?.unsubscribe();
    const more = await store.create('/many/after-one-left', 'x');
    for (const watch of watches.slice(1)) {
      const events = await watch.take(11);
      expect(events.map((e) => e.kv)).toEqual([...written, more]);
      watch.unsubscribe();
    }
  });

  it('list then watch from the list revision misses nothing and repeats nothing', async () => {
    const { store } = ctx();
    await seed(store, '/lw/', 5);
    const listed = await store.list('/lw/');
    const racing = [store.create('/lw/x1', 'x'), store.create('/lw/x2', 'x')];
    const watch = new EventCollector(store.watch('/lw/', listed.revision));
    const written = await Promise.all(racing);
    const sentinel = await store.create('/lw/x3', 'end');
    const events = await watch.take(3);
    watch.unsubscribe();
    const listedKeys = new Set(listed.items.map((kv) => kv.key));
    expect(events.every((e) => e.kv.modRevision > listed.revision && !listedKeys.has(e.kv.key))).toBe(true);
    expect(new Set(events.map((e) => e.kv.key))).toEqual(
      new Set([...written.map((kv) => kv.key), sentinel.key]),
    );
  });

  it('delivers 500 writes in order without loss', async () => {
    const { store } = ctx();
    const start = await store.currentRevision();
    const watch = new EventCollector(store.watch('/bulk/', start));
    const written = await Promise.all(
      Array.from({ length: 500 }, (_, i) => store.create(`/bulk/${i}`, String(i))),
    );
    const events = await watch.take(500);
    watch.unsubscribe();
    const revisions = events.map((e) => e.kv.modRevision);
    expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
    expect(new Set(revisions)).toEqual(new Set(written.map((kv) => kv.modRevision)));
  });

  it('unsubscribing releases the watch: after 300 open/close cycles a live watch still works and close() completes', async () => {
    const { store, close } = ctx();
    const start = await store.currentRevision();
    for (let i = 0; i < 300; i++) {
      const subscription = store.watch('/cyc/', start).subscribe({ next: () => undefined });
      subscription.unsubscribe();
    }
    const dropped = new EventCollector(store.watch('/cyc/', start));
    dropped.unsubscribe();
    const live = new EventCollector(store.watch('/cyc/', start));
    const kv = await store.create('/cyc/a', 'x');
    const [event] = await live.take(1);
    expect(event?.kv).toEqual(kv);
    expect(dropped.events.map(describeEvent)).toEqual([]);
    await close();
    await live.waitForComplete();
  });

  it('close() completes open watches', async () => {
    const { store, close } = ctx();
    const start = await store.currentRevision();
    const a = new EventCollector(store.watch('/close/', start));
    const b = new EventCollector(store.watch('/other/'));
    await store.create('/close/x', 'x');
    await a.take(1);
    await close();
    await a.waitForComplete();
    await b.waitForComplete();
    expect(a.failed || b.failed).toBe(false);
  });
}
