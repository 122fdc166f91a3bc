import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { expect, it } from '@jest/globals';

import { until } from '../../wait/until.js';
import type { RuntimeHarness } from '../RuntimeHarness.js';
import { collect } from './collect.js';

const rfc3339Nano = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Container logs in CRI format, execSync and streaming exec. */
export function logExecCases(harness: () => RuntimeHarness): void {
  it('writes stdout and stderr lines to the log file, timestamped and tagged with their stream', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sh', '-c', 'echo to-out; echo to-err >&2'] });
    const lines = await h.waitForLog(id, (l) => l.length >= 2);
    const out = lines.find((l) => l.content === 'to-out');
    const err = lines.find((l) => l.content === 'to-err');
    expect(out?.stream).toBe('stdout');
    expect(err?.stream).toBe('stderr');
    for (const line of lines) {
      expect(line.time).toMatch(rfc3339Nano);
      expect(line.tag).toBe('F');
    }
  });

  it('keeps log lines in order with non-decreasing timestamps', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['seq', '1', '50'] });
    const lines = await h.waitForLog(id, (l) => l.length >= 50);
    expect(lines.map((l) => l.content)).toEqual(Array.from({ length: 50 }, (_, i) => String(i + 1)));
    const times = lines.map((l) => Date.parse(l.time));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("puts the log at the sandbox's log directory joined with the container's log path", async () => {
    const h = harness();
    const sb = await h.sandbox();
    const config = h.containerConfig({ command: ['true'] });
    const id = await h.runtime.createContainer(sb.id, config, sb.config);
    const status = await h.runtime.containerStatus(id);
    expect(status.logPath).toBe(path.join(sb.config.logDirectory, config.logPath));
  });

  it('execs a command synchronously, returning stdout and exit code 0', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sleep', '3600'] });
    await h.waitForState(id, 'CONTAINER_RUNNING');
    const result = await h.runtime.execSync(id, ['echo', 'exec', 'works']);
    expect(Buffer.from(result.stdout).toString()).toBe('exec works\n');
    expect(Buffer.from(result.stderr).toString()).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('execs a command synchronously, returning stderr and a non-zero exit code', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sleep', '3600'] });
    await h.waitForState(id, 'CONTAINER_RUNNING');
    const result = await h.runtime.execSync(id, ['sh', '-c', 'echo oops >&2; exit 3']);
    expect(Buffer.from(result.stderr).toString()).toBe('oops\n');
    expect(Buffer.from(result.stdout).toString()).toBe('');
    expect(result.exitCode).toBe(3);
  });

  it("runs exec commands with the container's environment", async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sleep', '3600'], env: { SECRET_WORD: 'swordfish' } });
    await h.waitForState(id, 'CONTAINER_RUNNING');
    const result = await h.runtime.execSync(id, ['sh', '-c', 'echo "word=$SECRET_WORD"']);
    expect(Buffer.from(result.stdout).toString()).toBe('word=swordfish\n');
  });

  it("runs exec commands in the container's working directory and sees the files it wrote", async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, {
      command: ['sh', '-c', 'echo ready > /tmp/ready; echo written; sleep 3600'],
      workingDir: '/tmp',
    });
    await h.waitForLog(id, (l) => l.some((x) => x.content === 'written'));
    const result = await h.runtime.execSync(id, ['sh', '-c', 'pwd; cat /tmp/ready']);
    expect(Buffer.from(result.stdout).toString()).toBe('/tmp\nready\n');
    expect(result.exitCode).toBe(0);
  });

  it('rejects an exec that outlives its timeout with Timeout', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sleep', '3600'] });
    await h.waitForState(id, 'CONTAINER_RUNNING');
    const err = await h.errorOf(h.runtime.execSync(id, ['sleep', '60'], 1));
    expect(err.code).toBe('Timeout');
  });

  it('rejects an exec in a container that is not running', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = (await h.runToExit(sb, { command: ['true'] })).id;
    const err = await h.errorOf(h.runtime.execSync(id, ['echo', 'no']));
    expect(err.code).not.toBe('NotFound');
  });

  it('streams exec output and resolves with the exit code', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sleep', '3600'] });
    await h.waitForState(id, 'CONTAINER_RUNNING');
    const stdout = collect();
    const stderr = collect();
    const code = await h.runtime.exec(id, ['sh', '-c', 'echo streamed; echo warned >&2; exit 5'], {
      stdout: stdout.stream,
      stderr: stderr.stream,
    });
    expect(code).toBe(5);
    expect(stdout.text()).toBe('streamed\n');
    expect(stderr.text()).toBe('warned\n');
  });

  it('echoes the stdin of a streaming exec line by line before it is closed', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sleep', '3600'] });
    await h.waitForState(id, 'CONTAINER_RUNNING');
    const stdout = collect();
    const stdin = new PassThrough();
    const done = h.runtime.exec(id, ['cat'], { stdin, stdout: stdout.stream });
    // As `kubectl exec -i` at a terminal: each line comes back before the next is typed.
    for (const line of ['one\n', 'two\n', 'three\n']) {
      stdin.write(line);
      await until(() => (stdout.text().endsWith(line) ? true : undefined), `${line.trim()} to come back`);
    }
    stdin.end();
    expect(await done).toBe(0);
    expect(stdout.text()).toBe('one\ntwo\nthree\n');
  });

  it('feeds stdin to a streaming exec', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sleep', '3600'] });
    await h.waitForState(id, 'CONTAINER_RUNNING');
    const stdout = collect();
    const code = await h.runtime.exec(id, ['cat'], {
      stdin: Readable.from([Buffer.from('line one\nline two\n')]),
      stdout: stdout.stream,
    });
    expect(code).toBe(0);
    expect(stdout.text()).toBe('line one\nline two\n');
  });
}
