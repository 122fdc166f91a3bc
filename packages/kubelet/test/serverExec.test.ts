import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { execWs, startServerFixture, testPod, type ServerFixture } from './serverHarness.js';

function execPath(pod: string, container: string, command: readonly string[], flags: string): string {
  const cmd = command.map((c) => `command=${encodeURIComponent(c)}`).join('&');
  return `/exec/default/${pod}/${container}?${cmd}&${flags}`;
}

describe('KubeletServer /exec over WebSocket', () => {
  let f: ServerFixture;

  beforeAll(async () => {
    f = await startServerFixture();
    await f.run(testPod('shell', ['app']), 'app', 'httpd');
  });
  afterAll(() => f.close());

  it('runs a command with v5.channel.k8s.io: stdout, stderr and a Success status', async () => {
    const res = await execWs(
      f,
      execPath('shell', 'app', ['sh', '-c', 'echo out; echo err >&2'], 'stdout=true&stderr=true'),
    );
    expect(res).toEqual({
      protocol: 'v5.channel.k8s.io',
      stdout: 'out\n',
      stderr: 'err\n',
      status: { metadata: {}, status: 'Success' },
    });
  });

  it('reports a non-zero exit code as a NonZeroExitCode Failure with the ExitCode cause', async () => {
    const res = await execWs(f, execPath('shell', 'app', ['sh', '-c', 'exit 3'], 'stdout=1&stderr=1'));
    expect(res.status).toEqual({
      metadata: {},
      status: 'Failure',
      message:
        'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('feeds stdin until the client half-closes it', async () => {
    const res = await execWs(
      f,
      execPath('shell', 'app', ['cat'], 'stdin=true&stdout=true&stderr=true'),
      'hello\nworld\n',
    );
    expect(res.stdout).toBe('hello\nworld\n');
    expect(res.status).toEqual({ metadata: {}, status: 'Success' });
  });

  it('speaks v4.channel.k8s.io when that is what the client offers', async () => {
    const res = await execWs(f, execPath('shell', 'app', ['echo', 'hi'], 'stdout=1'), undefined, [
      'v4.channel.k8s.io',
      'channel.k8s.io',
    ]);
    expect(res).toMatchObject({ protocol: 'v4.channel.k8s.io', stdout: 'hi\n' });
  });

  it('merges stderr into stdout with a tty', async () => {
    const res = await execWs(
      f,
      execPath('shell', 'app', ['sh', '-c', 'echo err >&2'], 'stdout=1&stderr=1&tty=1'),
    );
    expect(res).toMatchObject({ stdout: 'err\n', stderr: '' });
  });

  it('reports a command that does not exist with its exit code, without hanging', async () => {
    const res = await execWs(f, execPath('shell', 'app', ['no-such-command'], 'stdout=1&stderr=1'));
    expect(res.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode' });
    expect(res.stderr).toContain('no-such-command');
  });

  it('refuses the upgrade with a Status for a container that is not there or without a command', async () => {
    await expect(execWs(f, execPath('shell', 'nope', ['true'], 'stdout=1'))).rejects.toThrow('400');
    await expect(execWs(f, execPath('missing', 'app', ['true'], 'stdout=1'))).rejects.toThrow('404');
    await expect(execWs(f, '/exec/default/shell/app?stdout=1')).rejects.toThrow('400');
  });

  it('refuses exec into a container that has exited', async () => {
    const pod = testPod('done', ['app']);
    const c = await f.run(pod, 'app', 'httpd');
    await f.runtime.stopContainer(c.id, 1);
    await expect(execWs(f, execPath('done', 'app', ['true'], 'stdout=1'))).rejects.toThrow('400');
  });
});
