import { describe, expect, it } from '@jest/globals';
import { Store } from '@tugboat/core';
import { EventCollector, expectApiError } from '@tugboat/testing';
import { Container } from 'inversify';

import { MemoryStore, MemoryStoreOptions, memoryStoreModule } from '../src/index.js';

describe('MemoryStore', () => {
  it('keeps about historyLimit revisions: older reads and watches are Gone, recent ones work', async () => {
    const store = await MemoryStore.open({ historyLimit: 20 });
    let kv = await store.create('/h/k', '0');
    for (let i = 1; i <= 200; i++) kv = await store.update('/h/k', String(i), kv.modRevision);
    const current = await store.currentRevision();
    await expectApiError(() => store.list('/h/', { revision: 1 }), 'Gone');
    const gone = new EventCollector(store.watch('/h/', 1));
    expect((await gone.waitForError()) as ApiErrorLike).toMatchObject({ code: 'Gone' });
    const recent = await store.list('/h/', { revision: current - 20 });
    expect(recent.items[0]?.value).toBe(String(200 - 20));
    const watch = new EventCollector(store.watch('/h/', current - 20));
    const events = await watch.take(20);
    expect(events.map((e) => e.kv.value)).toEqual(Array.from({ length: 20 }, (_, i) => String(181 + i)));
    watch.unsubscribe();
    await store.close();
  });

  it('rejects operations after close with Unavailable, and close is idempotent', async () => {
    const store = await MemoryStore.open();
    await store.create('/c/a', 'x');
    await store.close();
    await store.close();
    await expectApiError(() => store.get('/c/a'), 'Unavailable');
    await expectApiError(() => store.create('/c/b', 'x'), 'Unavailable');
    const watch = new EventCollector(store.watch('/c/', 0));
    expect((await watch.waitForError()) as ApiErrorLike).toMatchObject({ code: 'Unavailable' });
  });

  it('rejects bad options and arguments with Invalid, and oversized values with RequestEntityTooLarge', async () => {
    expect(() => new MemoryStore({ historyLimit: 0 })).toThrow(expect.objectContaining({ code: 'Invalid' }));
    expect(() => new MemoryStore({ fsync: 'sometimes' as 'none' })).toThrow(
      expect.objectContaining({ code: 'Invalid' }),
    );
    const store = await MemoryStore.open({ maxValueBytes: 1024 });
    await expectApiError(() => store.create('/v/a', 'x'.repeat(1025)), 'RequestEntityTooLarge');
    await expectApiError(() => store.list('/v/', { limit: -1 }), 'Invalid');
    await expectApiError(() => store.list('/v/', { revision: 1.5 }), 'Invalid');
    await expectApiError(() => store.list('/v/', { revision: 99 }), 'Invalid');
    await expectApiError(() => store.compact(99), 'Invalid');
    await expectApiError(() => store.update('/v/a', 'x', -1), 'Invalid');
    expect(await store.currentRevision()).toBe(0);
    await store.close();
  });

  it('memoryStoreModule binds Store and MemoryStore to one singleton, closed on unbind', async () => {
    const container = new Container();
    container.load(memoryStoreModule({ historyLimit: 50 }));
    const store = container.get<Store>(Store);
    expect(store).toBeInstanceOf(MemoryStore);
    expect(container.get<MemoryStore>(MemoryStore)).toBe(store);
    expect(container.get<MemoryStoreOptions>(MemoryStoreOptions)).toEqual({ historyLimit: 50 });
    await store.create('/di/a', 'x');
    await container.unbindAllAsync();
    await expectApiError(() => store.get('/di/a'), 'Unavailable');
  });
});

interface ApiErrorLike {
  readonly code: string;
}
