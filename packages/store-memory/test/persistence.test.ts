import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type ApiError } from '@tugboat/core';
import { EventCollector, expectApiError } from '@tugboat/testing';

import { MemoryStore } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tugboat-persist-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function walFiles(dataDir: string): Promise<string[]> {
  return (await readdir(dataDir))
    .filter((n) => n.startsWith('wal-'))
    .sort()
    .map((n) => join(dataDir, n));
}

async function openError(options: ConstructorParameters<typeof MemoryStore>[0]): Promise<ApiError> {
  const store = new MemoryStore(options);
  const error = await expectApiError(() => store.ready(), 'Internal');
  // Every operation reports the same error; nothing serves from an empty state.
  expect(await store.get('/x').catch((e: unknown) => e)).toBe(error);
  await store.close();
  return error;
}

describe('MemoryStore persistence', () => {
  it('a restart keeps every acknowledged write, revisions and retained history', async () => {
    const store = await MemoryStore.open({ dataDir: dir });
    const a = await store.create('/p/a', 'a1');
    await store.create('/p/b', 'b1');
    const middle = await store.currentRevision();
    const a2 = await store.update('/p/a', 'a2', a.modRevision);
    await store.delete('/p/b');
    const c = await store.create('/p/c', 'c1');
    const before = await store.list('/p/');
    const past = await store.list('/p/', { revision: middle });
    await store.close();

    const reopened = await MemoryStore.open({ dataDir: dir });
    expect(await reopened.currentRevision()).toBe(c.modRevision);
    expect(await reopened.list('/p/')).toEqual(before);
    expect(await reopened.list('/p/', { revision: middle })).toEqual(past);
    expect(await reopened.get('/p/a')).toEqual(a2);
    const watch = new EventCollector(reopened.watch('/p/', middle));
    const d = await reopened.create('/p/d', 'd1');
    expect(d.modRevision).toBe(c.modRevision + 1);
    const events = await watch.take(4);
    expect(events.map((e) => e.type)).toEqual(['update', 'delete', 'create', 'create']);
    watch.unsubscribe();
    await reopened.close();
  });

  it('snapshots rotate the log and a restart from snapshot + log keeps everything', async () => {
    const store = await MemoryStore.open({ dataDir: dir, snapshotEvery: 10 });
    let kv = await store.create('/s/counter', '0');
    for (let i = 1; i <= 95; i++) kv = await store.update('/s/counter', String(i), kv.modRevision);
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.create(`/s/k${i}`, `v${i}`)));
    await store.delete('/s/k7');
    const before = await store.list('/s/');
    const revision = await store.currentRevision();
    await store.close();
    expect((await readdir(dir)).sort()).toEqual(expect.arrayContaining(['snapshot.json']));
    expect(await walFiles(dir)).toHaveLength(1);

    const reopened = await MemoryStore.open({ dataDir: dir, snapshotEvery: 10 });
    expect(await reopened.currentRevision()).toBe(revision);
    expect(await reopened.list('/s/')).toEqual(before);
    expect((await reopened.get('/s/counter'))?.value).toBe('95');
    await reopened.close();
  });

  it('after kill -9 every acknowledged write is back and a torn last record is dropped', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'fixtures', 'crashWriter.ts'), dir],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const acked = new Map<string, number>();
    try {
      for await (const line of createInterface({ input: child.stdout })) {
        const [tag, revision, key] = line.split(' ');
        if (tag === 'ack' && key !== undefined) acked.set(key, Number(revision));
        if (acked.size >= 400) {
          child.kill('SIGKILL');
          break;
        }
      }
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    if (acked.size < 400) throw new Error(`the writer stopped after ${acked.size} writes: ${stderr}`);

    // A crash mid-append leaves a partial record at the end of the newest log.
    const newest = (await walFiles(dir)).at(-1) as string;
    const intact = await readFile(newest);
    await appendFile(newest, '1a2b3c4d {"o":"c","r":999999,"k":"/crash/torn","v":"half a rec');

    const store = await MemoryStore.open({ dataDir: dir });
    const revision = await store.currentRevision();
    const { items } = await store.list('/crash/');
    const stored = new Map(items.map((kv) => [kv.key, kv.modRevision]));
    for (const [key, rev] of acked) expect(stored.get(key)).toBe(rev);
    expect(Math.max(...acked.values())).toBeLessThanOrEqual(revision);
    expect(await store.get('/crash/torn')).toBeUndefined();
    // Only the torn tail was cut (the crash itself may have torn the last append too).
    const kept = await readFile(newest);
    expect(intact.subarray(0, kept.length)).toEqual(kept);
    expect(kept.length === 0 || kept.at(-1) === 0x0a).toBe(true);
    const after = await store.create('/crash/after', 'x');
    expect(after.modRevision).toBe(revision + 1);
    await store.close();

    const again = await MemoryStore.open({ dataDir: dir });
    expect(await again.get('/crash/after')).toEqual(after);
    expect((await again.list('/crash/')).items).toHaveLength(items.length + 1);
    await again.close();
  }, 60_000);

  it('a record with a bad checksum at the very end is dropped as torn', async () => {
    const store = await MemoryStore.open({ dataDir: dir });
    await store.create('/t/a', 'a');
    await store.close();
    const wal = (await walFiles(dir))[0] as string;
    await appendFile(wal, '00000000 {"o":"c","r":2,"k":"/t/b","v":"b"}\n');
    const reopened = await MemoryStore.open({ dataDir: dir });
    expect(await reopened.currentRevision()).toBe(1);
    expect(await reopened.get('/t/b')).toBeUndefined();
    await reopened.close();
  });

  it('a corrupt record in the middle of the log refuses to start, naming the file and offset', async () => {
    const store = await MemoryStore.open({ dataDir: dir });
    for (let i = 0; i < 10; i++) await store.create(`/m/${i}`, `value-${i}`);
    await store.close();
    const wal = (await walFiles(dir))[0] as string;
    const original = await readFile(wal);
    const lines = original.toString('utf8').split('\n');
    const offset = Buffer.byteLength(lines.slice(0, 3).join('\n')) + 1;
    const damaged = Buffer.from(original);
    damaged[offset + 40] = (damaged[offset + 40] ?? 0) ^ 0x01;
    await writeFile(wal, damaged);

    const error = await openError({ dataDir: dir });
    expect(error.message).toContain(wal);
    expect(error.message).toContain(`offset ${offset}`);
    // Nothing was reset or truncated: the operator still has every byte.
    expect(await readFile(wal)).toEqual(damaged);
  });

  it('a gap in the log revisions refuses to start', async () => {
    const store = await MemoryStore.open({ dataDir: dir });
    for (let i = 0; i < 3; i++) await store.create(`/g/${i}`, 'x');
    await store.close();
    const wal = (await walFiles(dir))[0] as string;
    const lines = (await readFile(wal, 'utf8')).split('\n');
    await writeFile(wal, [lines[0], lines[2], ''].join('\n'));
    const error = await openError({ dataDir: dir });
    expect(error.message).toContain(wal);
  });

  it('a corrupt snapshot refuses to start', async () => {
    const store = await MemoryStore.open({ dataDir: dir, snapshotEvery: 5 });
    for (let i = 0; i < 12; i++) await store.create(`/cs/${i}`, 'x');
    await store.close();
    const snapshot = join(dir, 'snapshot.json');
    const text = await readFile(snapshot, 'utf8');
    await writeFile(snapshot, text.replace('/cs/1', '/cs/X'));
    const error = await openError({ dataDir: dir, snapshotEvery: 5 });
    expect(error.message).toContain(snapshot);
  });

  it('a data directory that is a file, or holds unreadable data, is a clear Internal error', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    expect((await openError({ dataDir: file })).message).toContain(file);
    expect((await openError({ dataDir: join(file, 'child') })).message).toContain(file);
    const broken = join(dir, 'broken');
    await mkdir(join(broken, 'snapshot.json'), { recursive: true });
    expect((await openError({ dataDir: broken })).message).toContain(join(broken, 'snapshot.json'));
  });

  it('a second store on the same directory is refused while the first is open', async () => {
    const first = await MemoryStore.open({ dataDir: dir });
    await first.create('/lock/a', 'x');
    const second = new MemoryStore({ dataDir: dir });
    const error = await expectApiError(() => second.ready(), 'Unavailable');
    expect(error.message).toContain(String(process.pid));
    await second.close();
    await first.close();
    const third = await MemoryStore.open({ dataDir: dir });
    expect((await third.get('/lock/a'))?.value).toBe('x');
    await third.close();
  });

  it("with fsync 'none' writes still survive a clean restart", async () => {
    const store = await MemoryStore.open({ dataDir: dir, fsync: 'none' });
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.create(`/n/${i}`, String(i))));
    await store.close();
    const reopened = await MemoryStore.open({ dataDir: dir });
    expect((await reopened.list('/n/')).items).toHaveLength(50);
    await reopened.close();
  });
});
