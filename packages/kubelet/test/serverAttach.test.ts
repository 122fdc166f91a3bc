import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { execWs, get, startServerFixture, testPod, until, type ServerFixture } from './serverHarness.js';

describe('KubeletServer /attach over WebSocket', () => {
  let f: ServerFixture;

  beforeAll(async () => {
    f = await startServerFixture();
  });
  afterAll(() => f.close());

  it('feeds stdin to the main process, streams its output and ends with Success when it exits', async () => {
    const { id } = await f.run(testPod('reader', ['app']), 'app', 'echo before; cat; echo bye', {
      stdin: true,
    });
    const res = await execWs(f, '/attach/default/reader/app?stdin=true&stdout=true&stderr=true', 'hi\n');
    // "before" was written before the attach: it is in the log only.
    expect(res).toEqual({
      protocol: 'v5.channel.k8s.io',
      stdout: 'hi\nbye\n',
      stderr: '',
      status: { metadata: {}, status: 'Success' },
    });
    await until(async () => (await f.runtime.containerStatus(id)).state === 'CONTAINER_EXITED', 'the exit');
  });

  it('refuses a plain request and a container that is not running, with a Status', async () => {
    const plain = await get(f, '/attach/default/reader/app?stdout=true');
    expect(plain.status).toBe(400);
    expect(plain.text).toContain('Upgrade request required: attach needs a WebSocket');
    await expect(execWs(f, '/attach/default/reader/app?stdout=true')).rejects.toThrow('400');
    await expect(execWs(f, '/attach/default/reader/app')).rejects.toThrow('400');
  });
});
