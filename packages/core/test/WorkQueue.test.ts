import { describe, expect, it } from '@jest/globals';

import { WorkQueue } from '../src/index.js';
import { FakeClock, flush } from './support/FakeClock.js';

describe('WorkQueue', () => {
  it('hands items out in order and de-duplicates queued items', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(0);
  });

  it('keys items with the key function and keeps the newest value', async () => {
    const q = new WorkQueue<{ name: string; rev: number }>({ key: (i) => i.name });
    q.add({ name: 'x', rev: 1 });
    q.add({ name: 'x', rev: 2 });
    expect(q.length).toBe(1);
    expect(await q.get()).toEqual({ name: 'x', rev: 2 });
  });

  it('resolves a waiting get when an item arrives', async () => {
    const q = new WorkQueue<string>();
    const pending = q.get();
    q.add('late');
    expect(await pending).toBe('late');
  });

  it('never hands out an item being processed; re-adds are processed after done', async () => {
    const q = new WorkQueue<string>();
    q.add('k');
    const first = await q.get();
    q.add('k');
    q.add('k');
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((v) => (second = v));
    await flush();
    expect(second).toBeUndefined();
    q.done(first as string);
    await flush();
    expect(second).toBe('k');
    q.done('k');
    expect(q.length).toBe(0);
  });

  it('never processes one key concurrently across many workers', async () => {
    const q = new WorkQueue<string>();
    const active = new Set<string>();
    let overlaps = 0;
    let processed = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const item = await q.get();
        if (item === undefined) return;
        if (active.has(item)) overlaps++;
        active.add(item);
        await flush();
        processed++;
        active.delete(item);
        q.done(item);
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    for (let round = 0; round < 20; round++) {
      for (const k of ['a', 'b', 'c']) q.add(k);
      await flush();
    }
    await q.shutDownWithDrain();
    await Promise.all(workers);
    expect(overlaps).toBe(0);
    expect(processed).toBeGreaterThanOrEqual(3);
  });

  it('delays addAfter until the clock reaches it, keeping the earliest', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 500);
    expect(clock.pendingDelays()).toEqual([50]);
    await clock.advance(49);
    expect(q.length).toBe(0);
    await clock.advance(1);
    expect(q.length).toBe(1);
    q.addAfter('b', 0);
    expect(q.length).toBe(2);
  });

  it('backs off exponentially per item up to the cap, and forget resets it', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, baseDelayMs: 5, maxDelayMs: 1000 });
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      q.addRateLimited('x');
      delays.push(clock.pendingDelays()[0] ?? -1);
      await clock.advance(delays[delays.length - 1] ?? 0);
      q.done((await q.get()) as string);
    }
    expect(delays).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    expect(q.numRequeues('x')).toBe(10);
    expect(q.numRequeues('y')).toBe(0);
    q.forget('x');
    expect(q.numRequeues('x')).toBe(0);
    q.addRateLimited('x');
    expect(clock.pendingDelays()).toEqual([5]);
  });

  it('uses client-go defaults: 5 ms doubling to 1000 s', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    for (let i = 0; i < 30; i++) {
      q.addRateLimited('y');
      const d = clock.pendingDelays()[0] ?? 0;
      if (i === 0) expect(d).toBe(5);
      await clock.advance(d);
      q.done((await q.get()) as string);
      if (i === 29) expect(d).toBe(1_000_000);
    }
  });

  it('shutDown releases waiting workers, drops items and ignores later adds', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add('a');
    q.addAfter('b', 10);
    expect(q.length).toBe(0);
    expect(clock.pending).toBe(0);
    expect(await q.get()).toBeUndefined();
    expect(q.shuttingDown).toBe(true);
  });

  it('shutDownWithDrain lets queued items finish before resolving', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    const a = (await q.get()) as string;
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    q.add('c');
    expect(await q.get()).toBe('b');
    q.done('b');
    await flush();
    expect(drained).toBe(false);
    q.done(a);
    await drain;
    expect(drained).toBe(true);
    expect(await q.get()).toBeUndefined();
  });

  it('drains an item re-added while it was being processed', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const a = (await q.get()) as string;
    q.add('a');
    const drain = q.shutDownWithDrain();
    const again = q.get();
    q.done(a);
    expect(await again).toBe('a');
    q.done('a');
    await drain;
  });
});
