import { PassThrough } from 'node:stream';

import type { AttachStreams } from '@tugboat/core';

import { expect, it } from '@jest/globals';

import { until } from '../../wait/until.js';
import type { RuntimeHarness } from '../RuntimeHarness.js';
import { collect } from './collect.js';

/** Attach to a container's main process (`kubectl attach`). */
export function attachCases(harness: () => RuntimeHarness): void {
  it('feeds stdin to the main process line by line and streams its output until it exits', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sh', '-c', 'cat; echo stdin closed'], stdin: true });
    await h.waitForState(id, 'CONTAINER_RUNNING');
    const stdout = collect();
    const stdin = new PassThrough();
    const attached = attachOf(h)(id, { stdin, stdout: stdout.stream, stderr: collect().stream });
    // Each line must come back before the next is typed, as at a terminal. A runtime may start
    // copying input before the output is hooked up (containerd's CRI does, as `kubectl attach`
    // users see): the first line is sent again until it comes back.
    let sentAt = 0;
    await until(() => {
      if (stdout.text().includes('hello\n')) return true;
      if (Date.now() - sentAt > 500) {
        stdin.write('hello\n');
        sentAt = Date.now();
      }
      return undefined;
    }, 'the first line to come back through the attach');
    stdin.write('world\n');
    await until(() => (stdout.text().endsWith('world\n') ? true : undefined), 'the second line to come back');
    stdin.end();
    await attached;
    expect(stdout.text()).toMatch(/^(hello\n)+world\nstdin closed\n$/);
    expect((await h.waitForState(id, 'CONTAINER_EXITED')).exitCode).toBe(0);
  });

  it('detaches on its signal and leaves the container running', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sh', '-c', 'cat'], stdin: true });
    await h.waitForState(id, 'CONTAINER_RUNNING');
    const detach = new AbortController();
    const attached = attachOf(h)(id, { stdout: collect().stream, signal: detach.signal });
    detach.abort();
    await attached;
    expect((await h.runtime.containerStatus(id)).state).toBe('CONTAINER_RUNNING');
  });

  it('refuses to attach to a container that is not running', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = (await h.runToExit(sb, { command: ['true'] })).id;
    const err = await h.errorOf(attachOf(h)(id, { stdout: collect().stream }));
    expect(err.code).toBe('Conflict');
  });
}

/** The runtime's attach; the suite's runtimes must have one. */
function attachOf(h: RuntimeHarness): (id: string, streams: AttachStreams) => Promise<void> {
  const runtime = h.runtime;
  if (runtime.attach === undefined) throw new Error(`runtime ${runtime.name} does not implement attach`);
  return (id, streams) => runtime.attach?.(id, streams) ?? Promise.resolve();
}
