import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseCriLog } from '@tugboat/core';

import { FakeRuntime, ManualClock } from '../src/index.js';
import { containerConfig, removeLogDirs, sandboxConfig } from './helpers.js';

describe("the fake runtime's sh subset", () => {
  const clock = new ManualClock();
  const runtime = new FakeRuntime({ clock, images: ['busybox:1.35'] });
  let podId = '';
  const sb = sandboxConfig('shell');
  let seq = 0;

  beforeAll(async () => {
    podId = await runtime.runPodSandbox(sb);
  });
  afterAll(removeLogDirs);

  async function start(command: readonly string[]): Promise<string> {
    const id = await runtime.createContainer(
      podId,
      containerConfig(`c${++seq}`, command, { envs: [{ key: 'NAME', value: 'tug boat' }] }),
      sb,
    );
    await runtime.startContainer(id);
    return id;
  }

  async function sh(script: string): Promise<{ out: string; err: string; code: number }> {
    const id = await start(['sleep', 'infinity']);
    const r = await runtime.execSync(id, ['sh', '-c', script]);
    return { out: Buffer.from(r.stdout).toString(), err: Buffer.from(r.stderr).toString(), code: r.exitCode };
  }

  async function log(id: string): Promise<string[]> {
    return parseCriLog(readFileSync((await runtime.containerStatus(id)).logPath, 'utf8')).map(
      (l) => l.content,
    );
  }

  it('expands variables inside double quotes but not single quotes, and splits unquoted ones', async () => {
    expect((await sh(`echo "$NAME" '$NAME' \${NAME}x; for w in $NAME; do echo "<$w>"; done`)).out).toBe(
      'tug boat $NAME tug boatx\n<tug>\n<boat>\n',
    );
  });

  it('runs && and || on the previous status and exposes $?', async () => {
    expect((await sh('false && echo no || echo yes; true && echo also; false; echo $?')).out).toBe(
      'yes\nalso\n1\n',
    );
  });

  it('runs if, for and until', async () => {
    const r = await sh(
      'for i in 1 2 3; do if [ $i -eq 2 ]; then echo two; elif test $i = 3; then echo three; else echo $i; fi; done; until true; do echo never; done',
    );
    expect(r.out).toBe('1\ntwo\nthree\n');
  });

  it('pipes text through head, tail, wc and cat', async () => {
    expect((await sh('seq 1 5 | tail -n 2; seq 10 | head -n 1; echo hello | wc -c; echo x | cat')).out).toBe(
      '4\n5\n1\n6\nx\n',
    );
  });

  it('redirects to files, to stderr and to /dev/null', async () => {
    const r = await sh(
      'echo a > /tmp/f; echo b >> /tmp/f; cat /tmp/f; echo gone > /dev/null; echo warn >&2; test -f /tmp/f && echo exists; cat /tmp/none',
    );
    expect(r.out).toBe('a\nb\nexists\n');
    expect(r.err).toBe("warn\ncat: can't open '/tmp/none': No such file or directory\n");
    expect(r.code).toBe(1);
  });

  it('ends only the sub-shell on exit, and reports unknown commands with 127', async () => {
    expect(await sh("sh -c 'exit 4'; echo after $?")).toMatchObject({ out: 'after 4\n', code: 0 });
    expect(await sh('frobnicate')).toMatchObject({ err: 'sh: frobnicate: not found\n', code: 127 });
  });

  it('reports syntax it does not support as a syntax error with status 2', async () => {
    const r = await sh('echo $((1+1))');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^sh: syntax error/);
  });

  it('sleeps on the clock', async () => {
    const id = await start(['sh', '-c', 'echo start; sleep 2; echo end']);
    await clock.advance(1999);
    expect(await log(id)).toEqual(['start']);
    await clock.advance(1);
    expect(await log(id)).toEqual(['start', 'end']);
    expect((await runtime.containerStatus(id)).state).toBe('CONTAINER_EXITED');
  });

  it('runs a TERM trap handler, which may end the process or let it go on', async () => {
    const ending = await start([
      'sh',
      '-c',
      'trap "echo bye; exit 3" TERM; while :; do sleep 1 & wait; done',
    ]);
    const going = await start(['sh', '-c', 'trap "echo got it" TERM; while :; do sleep 1 & wait; done']);
    await runtime.stopContainer(ending, 30);
    expect(await runtime.containerStatus(ending)).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 3 });
    expect(await log(ending)).toEqual(['bye']);
    const stop = runtime.stopContainer(going, 5);
    await clock.advance(4000);
    expect(await log(going)).toEqual(['got it']);
    expect((await runtime.containerStatus(going)).state).toBe('CONTAINER_RUNNING');
    await clock.advance(1000);
    await stop;
    expect((await runtime.containerStatus(going)).exitCode).toBe(137);
  });
});
