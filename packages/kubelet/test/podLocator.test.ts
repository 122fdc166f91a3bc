import { readFile } from 'node:fs/promises';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError } from '@tugboat/core';
import { behaviours } from '@tugboat/runtime-fake';

import { shell, startPodHarness, statusOf, type PodHarness } from './podHarness.js';

describe('Kubelet: the container locator used for logs and exec', () => {
  let h: PodHarness;
  beforeEach(async () => {
    h = await startPodHarness({ pullable: (ref) => !ref.includes('missing') });
    await h.kubelet.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  const message = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
    } catch (err) {
      if (ApiError.is(err)) return `${err.code}: ${err.message}`;
      throw err;
    }
    throw new Error('expected an error');
  };

  it('finds the current and the previous instance with their log files', async () => {
    h.behaviours.forContainer('talker', (info) =>
      info.attempt === 0
        ? behaviours.printLogs(['first life'], { exitCode: 1 })
        : behaviours.printLogs(['second life']),
    );
    await h.createPod('logs', { containers: [{ name: 'talker', image: 'busybox:1.36' }] });
    await h.waitPod(
      'logs',
      (p) => statusOf(p, 'talker')?.restartCount === 1 && statusOf(p, 'talker')?.state?.running !== undefined,
      'restarted',
    );
    const current = await h.kubelet.locator.locate('default', 'logs', undefined, false);
    const previous = await h.kubelet.locator.locate('default', 'logs', 'talker', true);
    expect(current.running).toBe(true);
    expect(previous.running).toBe(false);
    expect(current.containerName).toBe('talker');
    expect(await readFile(previous.logPath, 'utf8')).toMatch(/first life/);
    expect(current.logPath).toMatch(/default_logs_[^/]+\/talker\/1\.log$/);
    expect(h.kubelet.locator.pods().map((p) => p.metadata?.name)).toEqual(['logs']);
  });

  it('answers with upstream messages when the container cannot be found', async () => {
    await h.createPod('two', { containers: [shell('a', 'httpd'), shell('b', 'httpd')] });
    await h.createPod('waits', { containers: [{ name: 'c', image: 'example.com/missing:1' }] });
    await h.waitPod('two', (p) => p.status?.phase === 'Running', 'Running');
    await h.waitPod(
      'waits',
      (p) => statusOf(p, 'c')?.state?.waiting?.reason === 'ImagePullBackOff',
      'ImagePullBackOff',
    );
    const loc = h.kubelet.locator;
    expect(await message(loc.locate('default', 'two', undefined, false))).toBe(
      'BadRequest: a container name must be specified for pod two, choose one of: [a b]',
    );
    expect(await message(loc.locate('default', 'two', 'a', true))).toBe(
      'BadRequest: previous terminated container "a" in pod "two" not found',
    );
    expect(await message(loc.locate('default', 'two', 'zzz', false))).toBe(
      'BadRequest: container zzz is not valid for pod two',
    );
    expect(await message(loc.locate('default', 'waits', undefined, false))).toBe(
      'BadRequest: container "c" in pod "waits" is waiting to start: ImagePullBackOff',
    );
    expect(await message(loc.locate('default', 'nope', undefined, false))).toBe(
      'NotFound: pod "nope" not found',
    );
  });
});
