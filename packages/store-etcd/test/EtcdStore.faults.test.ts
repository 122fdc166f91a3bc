import { afterEach, describe, expect, it } from '@jest/globals';
import { ApiError, type StoreEvent } from '@tugboat/core';
import { startEtcd, startEtcdCluster, type EtcdCluster, type EtcdHandle } from '@tugboat/testing';

import { EtcdStore } from '../src/index.js';
import { Recorder, Writer, eventually, expectCompleteHistory } from './faultHarness.js';
import { TcpProxy } from './TcpProxy.js';

/** Everything a test started, torn down in reverse order whatever happened. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function etcd(): Promise<EtcdHandle> {
  const handle = await startEtcd({ mode: 'process' });
  cleanups.push(() => handle.stop());
  return handle;
}

async function store(endpoints: string[], requestTimeoutMs = 2_000): Promise<EtcdStore> {
  const s = await EtcdStore.connect({ endpoints, requestTimeoutMs, prefix: '/faults' });
  cleanups.push(() => s.close());
  return s;
}

describe('EtcdStore under etcd faults', () => {
  it('survives etcd being killed and restarted: writes fail Unavailable, the watch misses and repeats nothing', async () => {
    const server = await etcd();
    const s = await store([server.endpoints]);
    const recorder = new Recorder(s, '/w/', await s.currentRevision());
    cleanups.push(() => {
      recorder.stop();
    });
    const writer = new Writer(s, '/w/');
    writer.start();
    cleanups.push(() => writer.stop());

    await writer.ackMore(30);
    await server.kill();
    const failedBefore = writer.failures.length;
    await eventually('writes failing during the outage', () => writer.failures.length >= failedBefore + 3);
    expect(writer.failures.every((e) => e.code === 'Unavailable')).toBe(true);
    await server.restart();
    await writer.ackMore(30);
    await writer.stop();

    const final = await s.currentRevision();
    await eventually('the watch catching up', () => recorder.lastRevision >= final);
    expect(recorder.error).toBeUndefined();
    expect(await expectCompleteHistory(s, '/w/', recorder, writer)).toEqual([]);
  });

  it('fails a write against a hung etcd with Unavailable instead of hanging', async () => {
    const server = await etcd();
    const s = await store([server.endpoints], 1_000);
    await s.create('/hung/a', 'before');
    await server.pause();
    cleanups.push(() => server.resume());
    const err = await s.create('/hung/b', 'during').catch((e: unknown) => e);
    expect(ApiError.is(err, 'Unavailable')).toBe(true);
    expect((err as Error).message).toMatch(/etcd create "\/hung\/b"/);
    await server.resume();
    await eventually('writes succeeding again', () =>
      s.create('/hung/c', 'after').then(
        () => true,
        () => false,
      ),
    );
    expect((await s.get('/hung/a'))?.value).toBe('before');
  });

  it('resumes a watch whose connection dropped, from its last revision, without gaps or duplicates', async () => {
    const server = await etcd();
    const proxy = await TcpProxy.start(server.endpoints);
    cleanups.push(() => proxy.close());
    const direct = await store([server.endpoints]);
    const viaProxy = await store([proxy.endpoint]);
    const recorder = new Recorder(viaProxy, '/p/', await direct.currentRevision());
    cleanups.push(() => {
      recorder.stop();
    });
    const writer = new Writer(direct, '/p/');
    writer.start();
    cleanups.push(() => writer.stop());

    for (let round = 0; round < 3; round++) {
      await writer.ackMore(20);
      proxy.cut();
      // Writes go on while the watcher is cut off; it must replay them on reconnect.
      await writer.ackMore(200);
      proxy.heal();
    }
    await writer.stop();
    const final = await direct.currentRevision();
    await eventually('the watch catching up', () => recorder.lastRevision >= final);
    expect(recorder.error).toBeUndefined();
    expect(await expectCompleteHistory(direct, '/p/', recorder, writer)).toEqual([]);
  });

  it('resumes a watch cut off in the middle of replaying a backlog, without a gap', async () => {
    const server = await etcd();
    const proxy = await TcpProxy.start(server.endpoints);
    cleanups.push(() => proxy.close());
    const direct = await store([server.endpoints]);
    const viaProxy = await store([proxy.endpoint]);
    const events: StoreEvent[] = [];
    let cutOnNextEvent = false;
    let error: unknown;
    const sub = viaProxy.watch('/r/', await direct.currentRevision()).subscribe({
      next: (ev) => {
        events.push(ev);
        if (cutOnNextEvent) {
          // etcd replays a backlog in batches of 1000 revisions, each stamped with the current
          // revision: dropping the connection after the first batch must not skip the rest.
          cutOnNextEvent = false;
          proxy.cut();
          proxy.heal();
        }
      },
      error: (err: unknown) => (error = err),
    });
    cleanups.push(() => {
      sub.unsubscribe();
    });
    await direct.create('/r/first', 'x');
    await eventually('the watch is attached', () => events.length === 1);
    proxy.cut();
    const value = 'v'.repeat(4096);
    for (let i = 0; i < 1500; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => direct.create(`/r/${String(i + j).padStart(5, '0')}`, value)),
      );
    }
    cutOnNextEvent = true;
    proxy.heal();
    const final = await direct.currentRevision();
    await eventually('the watch catching up', () => (events.at(-1)?.kv.modRevision ?? 0) >= final);
    expect(error).toBeUndefined();
    expect(cutOnNextEvent).toBe(false);
    const revisions = events.map((e) => e.kv.modRevision);
    expect(new Set(revisions).size).toBe(revisions.length);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(events).toHaveLength(1501);
  });

  it('ends a watch with Gone when etcd compacted past it while it was disconnected', async () => {
    const server = await etcd();
    const proxy = await TcpProxy.start(server.endpoints);
    cleanups.push(() => proxy.close());
    const direct = await store([server.endpoints]);
    const viaProxy = await store([proxy.endpoint]);
    const first = await direct.create('/c/a', '1');
    const recorder = new Recorder(viaProxy, '/c/', first.modRevision);
    cleanups.push(() => {
      recorder.stop();
    });
    const second = await direct.update('/c/a', '2', first.modRevision);
    await eventually('the watch seeing the first update', () => recorder.lastRevision >= second.modRevision);
    proxy.cut();
    let rev = second.modRevision;
    for (let i = 0; i < 5; i++) rev = (await direct.update('/c/a', String(i), rev)).modRevision;
    await direct.compact(rev);
    proxy.heal();
    await eventually('the watch failing', () => recorder.error !== undefined);
    expect(ApiError.is(recorder.error, 'Gone')).toBe(true);
    expect(recorder.events.map((e) => e.kv.modRevision)).toEqual([second.modRevision]);
  });

  it('keeps serving through a 3-member cluster whose leader is killed mid-stream, losing no acknowledged write', async () => {
    const cluster: EtcdCluster = await startEtcdCluster(3);
    cleanups.push(() => cluster.stop());
    const s = await store(cluster.endpoints.split(','), 3_000);
    const recorder = new Recorder(s, '/l/', await s.currentRevision());
    cleanups.push(() => {
      recorder.stop();
    });
    const writer = new Writer(s, '/l/');
    writer.start();
    cleanups.push(() => writer.stop());

    await writer.ackMore(50);
    const leader = await cluster.leader();
    await cluster.members[leader]!.kill();
    const newLeader = await cluster.leader();
    expect(newLeader).not.toBe(leader);
    await writer.ackMore(100);
    await writer.stop();
    expect(writer.failures.every((e) => e.code === 'Unavailable')).toBe(true);

    const final = await s.currentRevision();
    await eventually('the watch catching up', () => recorder.lastRevision >= final);
    expect(recorder.error).toBeUndefined();
    expect(await expectCompleteHistory(s, '/l/', recorder, writer)).toEqual([]);
    const stored = new Map((await s.list('/l/')).items.map((kv) => [kv.key, kv.modRevision]));
    for (const [key, rev] of writer.acked) expect(stored.get(key)).toBe(rev);
  });
});
