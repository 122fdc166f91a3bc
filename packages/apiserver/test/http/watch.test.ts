import { afterEach, describe, expect, it } from '@jest/globals';

import { call, openWatch, podBody, readWatch, startTestServer, type TestServer } from './serverHarness.js';

const pods = '/api/v1/namespaces/default/pods';
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

describe('HTTP front: watch', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('streams NDJSON events, one per line, starting with synthetic ADDEDs for resourceVersion=0', async () => {
    t = await startTestServer();
    await call(t.url, 'POST', pods, podBody('a'));
    const watch = await openWatch(`${t.url}${pods}?watch=true&resourceVersion=0`);
    // The ADDED of the existing pod proves the watch is open before we write.
    await watch.waitFor((lines) => lines.length >= 1);
    await call(t.url, 'PATCH', `${pods}/a`, '{"metadata":{"labels":{"x":"1"}}}', {
      'Content-Type': 'application/merge-patch+json',
    });
    await call(t.url, 'DELETE', `${pods}/a`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 0,
    });
    const lines = await watch.waitFor((ls) => ls.length >= 3);
    await watch.close();
    const events = lines.map(
      (l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } },
    );
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED a',
      'MODIFIED a',
      'DELETED a',
    ]);
  });

  it('serves the legacy /watch/ paths and field selectors on metadata.name', async () => {
    t = await startTestServer();
    const res = await fetch(`${t.url}/api/v1/watch/namespaces/default/pods?fieldSelector=metadata.name%3Db`);
    expect(res.headers.get('content-type')).toBe('application/json');
    const reading = readWatch(res, (lines) => lines.some((l) => l.includes('"ADDED"')));
    await call(t.url, 'POST', pods, podBody('a'));
    await call(t.url, 'POST', pods, podBody('b'));
    const lines = (await reading).filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(
      (JSON.parse(lines[0] ?? '{}') as { object: { metadata: { name: string } } }).object.metadata.name,
    ).toBe('b');
  });

  it('sends an ERROR event with a 410 Expired Status for a compacted resourceVersion, then closes', async () => {
    t = await startTestServer();
    const first = (await call(t.url, 'POST', pods, podBody('a'))).json() as {
      metadata: { resourceVersion: string };
    };
    await call(t.url, 'POST', pods, podBody('b'));
    await call(t.url, 'POST', pods, podBody('c'));
    await t.store.compact(await t.store.currentRevision());
    const res = await fetch(`${t.url}${pods}?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
    expect(res.status).toBe(200);
    const lines = (await readWatch(res, () => false)).filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
  });

  it('sends BOOKMARKs carrying the latest resourceVersion when allowWatchBookmarks is set', async () => {
    t = await startTestServer();
    const rv = (await call(t.url, 'GET', pods)).json()['metadata'] as { resourceVersion: string };
    const res = await fetch(
      `${t.url}${pods}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv.resourceVersion}`,
    );
    const lines = await readWatch(res, (ls) => ls.some((l) => l.includes('BOOKMARK')));
    const bookmark = JSON.parse(lines.find((l) => l.includes('BOOKMARK')) ?? '{}') as {
      object: { kind: string; metadata: { resourceVersion: string } };
    };
    expect(bookmark.object.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(bookmark.object.kind).toBe('Pod');
  });

  it('writes a heartbeat newline on idle watches and ends them after timeoutSeconds', async () => {
    t = await startTestServer({ watchHeartbeatMs: 50 });
    const rv = (await call(t.url, 'GET', pods)).json()['metadata'] as { resourceVersion: string };
    const res = await fetch(
      `${t.url}${pods}?watch=true&timeoutSeconds=1&resourceVersion=${rv.resourceVersion}`,
    );
    const lines = await readWatch(res, () => false);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l === '')).toBe(true);
  });

  it('emits one-row Tables with column definitions only in the first event', async () => {
    t = await startTestServer();
    const res = await fetch(`${t.url}${pods}?watch=true`, { headers: { Accept: tableAccept } });
    const reading = readWatch(res, (ls) => ls.filter((l) => l.trim() !== '').length >= 2);
    await call(t.url, 'POST', pods, podBody('a'));
    await call(t.url, 'POST', pods, podBody('b'));
    const events = (await reading)
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { object: Record<string, unknown> });
    expect(events[0]!.object).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(events[0]!.object['columnDefinitions']).toBeDefined();
    expect(events[1]!.object['columnDefinitions']).toBeUndefined();
    expect((events[1]!.object['rows'] as { cells: unknown[] }[])[0]!.cells[0]).toBe('b');
  });

  it('ends open watches when the server shuts down', async () => {
    t = await startTestServer();
    const res = await fetch(`${t.url}${pods}?watch=true`);
    const reading = readWatch(res, () => false);
    const server = t;
    t = undefined;
    await server.close();
    await expect(reading).resolves.toBeDefined();
  });
});
