import { appendFileSync, mkdirSync, renameSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { dirname } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { formatCriLogLine } from '@tugboat/core';

import { get, startServerFixture, testPod, until, type ServerFixture } from './serverHarness.js';

function write(file: string, lines: readonly [number, 'stdout' | 'stderr', string, ('F' | 'P')?][]): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, lines.map(([t, s, c, tag]) => formatCriLogLine(t, s, c, tag ?? 'F')).join(''));
}

/** A followed log being read in the background. */
function follow(
  f: ServerFixture,
  path: string,
): { text: () => string; status: Promise<number>; ended: Promise<void> } {
  let text = '';
  let setStatus: (n: number) => void = () => undefined;
  const status = new Promise<number>((resolve) => (setStatus = resolve));
  const ended = new Promise<void>((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: f.port,
        path,
        ca: f.pki.caPem,
        cert: f.pki.client.certPem,
        key: f.pki.client.keyPem,
      },
      (res) => {
        setStatus(res.statusCode ?? 0);
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          resolve();
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
  return { text: () => text, status, ended };
}

describe('KubeletServer /containerLogs', () => {
  let f: ServerFixture;
  const t0 = Date.parse('2026-11-27T05:06:07.120Z');
  let logPath = '';

  beforeAll(async () => {
    f = await startServerFixture();
    ({ logPath } = await f.run(testPod('web', ['app']), 'app', 'httpd'));
    write(logPath, [
      [t0, 'stdout', 'one'],
      [t0 + 1000, 'stderr', 'two'],
      [t0 + 2000, 'stdout', 'thr', 'P'],
      [t0 + 2000, 'stdout', 'ee'],
      [t0 + 3000, 'stdout', 'four'],
    ]);
  });
  afterAll(() => f.close());

  it('serves the messages of the CRI log, partial entries joined, as text/plain', async () => {
    const res = await get(f, '/containerLogs/default/web/app');
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/plain');
    expect(res.text).toBe('one\ntwo\nthree\nfour\n');
  });

  it('keeps only the last tailLines lines, and none for tailLines=0', async () => {
    expect((await get(f, '/containerLogs/default/web/app?tailLines=1')).text).toBe('four\n');
    expect((await get(f, '/containerLogs/default/web/app?tailLines=0')).text).toBe('');
  });

  it('tails and streams a log larger than its read buffers', async () => {
    const big = await f.run(testPod('big', ['app']), 'app', 'httpd');
    const lines = Array.from({ length: 30_000 }, (_, i): [number, 'stdout', string] => [
      t0,
      'stdout',
      `line ${i}`,
    ]);
    write(big.logPath, lines);
    expect((await get(f, '/containerLogs/default/big/app?tailLines=3')).text).toBe(
      'line 29997\nline 29998\nline 29999\n',
    );
    const all = (await get(f, '/containerLogs/default/big/app')).text.split('\n');
    expect(all.length).toBe(30_001);
    expect(all[12_345]).toBe('line 12345');
  });

  it('prefixes each line with its RFC3339Nano time when timestamps=true', async () => {
    const res = await get(f, '/containerLogs/default/web/app?timestamps=true&tailLines=1');
    expect(res.text).toBe('2026-11-27T05:06:10.12Z four\n');
  });

  it('filters by sinceTime and sinceSeconds', async () => {
    const since = await get(
      f,
      `/containerLogs/default/web/app?sinceTime=${encodeURIComponent('2026-11-27T05:06:09Z')}`,
    );
    expect(since.text).toBe('three\nfour\n');
    const recent = await f.run(testPod('recent', ['app']), 'app', 'httpd');
    write(recent.logPath, [
      [Date.now() - 3_600_000, 'stdout', 'an hour ago'],
      [Date.now(), 'stdout', 'just now'],
    ]);
    expect((await get(f, '/containerLogs/default/recent/app?sinceSeconds=60')).text).toBe('just now\n');
  });

  it('stops after limitBytes bytes', async () => {
    expect((await get(f, '/containerLogs/default/web/app?limitBytes=6')).text).toBe('one\ntw');
  });

  it('serves the previous instance with previous=true', async () => {
    const pod = testPod('restarted', ['app']);
    const first = await f.run(pod, 'app', 'echo first run');
    await until(
      async () => (await f.runtime.containerStatus(first.id)).state === 'CONTAINER_EXITED',
      'first exit',
    );
    await f.run(pod, 'app', 'echo second run; httpd');
    await until(
      async () => (await get(f, '/containerLogs/default/restarted/app')).text === 'second run\n',
      'second run',
    );
    expect((await get(f, '/containerLogs/default/restarted/app?previous=true')).text).toBe('first run\n');
  });

  it('answers errors as Status JSON: waiting container 400, unknown pod 404, bad query 400', async () => {
    const waiting = await get(f, '/containerLogs/default/web/sidecar');
    expect(waiting.status).toBe(400);
    expect(JSON.parse(waiting.text)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'BadRequest',
      message: 'container "sidecar" in pod "web" is waiting to start: ContainerCreating',
    });
    const missing = await get(f, '/containerLogs/default/nope/app');
    expect(missing.status).toBe(404);
    const bad = await get(f, '/containerLogs/default/web/app?tailLines=-1');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({
      reason: 'BadRequest',
      message: expect.stringContaining('tailLines'),
    });
    const previous = await get(f, '/containerLogs/default/web/app?previous=true');
    expect(previous.status).toBe(400);
  });

  it('follow streams new lines as written and ends once the container exits', async () => {
    const pod = testPod('follow', ['app']);
    const c = await f.run(pod, 'app', 'echo started; httpd');
    await until(
      async () => (await get(f, '/containerLogs/default/follow/app')).text === 'started\n',
      'first line',
    );
    const stream = follow(f, '/containerLogs/default/follow/app?follow=true');
    expect(await stream.status).toBe(200);
    await until(() => stream.text() === 'started\n', 'the existing line');
    write(c.logPath, [[Date.now(), 'stdout', 'later']]);
    await until(() => stream.text() === 'started\nlater\n', 'the appended line');
    await f.runtime.stopContainer(c.id, 1);
    await stream.ended;
    expect(stream.text()).toBe('started\nlater\n');
  });

  it('follow keeps reading when the log file is rotated', async () => {
    const pod = testPod('rotate', ['app']);
    const c = await f.run(pod, 'app', 'httpd');
    write(c.logPath, [[Date.now(), 'stdout', 'old file']]);
    const stream = follow(f, '/containerLogs/default/rotate/app?follow=true');
    await until(() => stream.text() === 'old file\n', 'the first file');
    renameSync(c.logPath, `${c.logPath}.20261127-050607`);
    write(c.logPath, [[Date.now(), 'stdout', 'new file']]);
    await until(() => stream.text() === 'old file\nnew file\n', 'the rotated file');
    await f.runtime.stopContainer(c.id, 1);
    await stream.ended;
  });

  it('follow on an exited container returns what is there and ends', async () => {
    const res = await get(f, '/containerLogs/default/restarted/app?previous=true&follow=true');
    expect(res.text).toBe('first run\n');
  });
});
