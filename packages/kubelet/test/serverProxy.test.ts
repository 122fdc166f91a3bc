import { execFile, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
  InProcessApiClient,
  KubeletNodeProxy,
  Registry,
  ResourceRegistry,
  startApiServer,
  type RunningApiServer,
} from '@tugboat/apiserver';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { formatCriLogLine, resources, silentLogger, type corev1 } from '@tugboat/core';
import { MemoryStore } from '@tugboat/store-memory';

import { startServerFixture, testPod, until, type ServerFixture } from './serverHarness.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** kubectl logs and exec through the apiserver's KubeletNodeProxy to a KubeletServer, end to end. */
describe('kubectl logs and exec through the apiserver to the kubelet', () => {
  let f: ServerFixture;
  let store: MemoryStore;
  let api: RunningApiServer;
  let proxy: KubeletNodeProxy;
  let env: NodeJS.ProcessEnv;
  const logPaths = new Map<string, string>();
  const ids = new Map<string, string>();

  const kubectl = (args: readonly string[], stdin?: string): Promise<Run> =>
    new Promise((resolve) => {
      const child = execFile(
        '/usr/bin/kubectl',
        [...args],
        { env, timeout: 30_000 },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
      if (stdin !== undefined) child.stdin?.end(stdin);
    });

  beforeAll(async () => {
    f = await startServerFixture();
    store = new MemoryStore();
    const registry = new Registry(store, new ResourceRegistry(), silentLogger);
    const client = new InProcessApiClient(registry);
    proxy = new KubeletNodeProxy({
      client,
      clientCertPem: f.pki.client.certPem,
      clientKeyPem: f.pki.client.keyPem,
      kubeletCaPem: f.pki.caPem,
    });
    api = await startApiServer({ registry, nodeProxy: proxy });
    const node = await client.create(resources.Nodes, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1' },
    });
    await client.updateStatus(resources.Nodes, {
      ...node,
      status: {
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: f.port } },
      },
    });
    const start = async (pod: corev1.Pod, script: string): Promise<void> => {
      const name = pod.metadata?.name ?? '';
      const c = await f.run(pod, 'app', script);
      logPaths.set(name, c.logPath);
      ids.set(name, c.id);
    };
    for (const name of ['web', 'follow', 'restarted']) {
      const { spec } = testPod(name, ['app']);
      await client.create(resources.Pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default' },
        ...(spec !== undefined ? { spec } : {}),
      });
    }
    await start(testPod('web', ['app']), 'echo hello from web; httpd');
    await start(testPod('follow', ['app']), 'echo first; httpd');
    const restarted = testPod('restarted', ['app']);
    await start(restarted, 'echo crashed >&2; exit 1');
    await until(
      async () => (await f.runtime.containerStatus(ids.get('restarted') ?? '')).state === 'CONTAINER_EXITED',
      'the crash',
    );
    await start(restarted, 'echo second life; httpd');

    const dir = f.dir;
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters:\n- name: t\n  cluster:\n    server: ${api.url}`,
        'users:\n- name: t\n  user:\n    token: test',
        'contexts:\n- name: t\n  context:\n    cluster: t\n    user: t\n    namespace: default',
        'current-context: t',
        '',
      ].join('\n'),
    );
    env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: dir,
      KUBECACHEDIR: join(dir, 'cache'),
      KUBECONFIG: kubeconfig,
    };
    await until(
      async () => (await kubectl(['logs', 'web'])).stdout === 'hello from web\n',
      'the first log line',
    );
  });

  afterAll(async () => {
    proxy.close();
    await api.close();
    await store.close();
    await f.close();
  });

  it('kubectl logs prints what the container wrote', async () => {
    expect(await kubectl(['logs', 'web'])).toEqual({ code: 0, stdout: 'hello from web\n', stderr: '' });
  });

  it('kubectl logs --previous prints the last terminated instance', async () => {
    await until(
      async () => (await kubectl(['logs', 'restarted'])).stdout === 'second life\n',
      'the second instance',
    );
    expect(await kubectl(['logs', 'restarted', '--previous'])).toMatchObject({
      code: 0,
      stdout: 'crashed\n',
    });
  });

  it('kubectl logs -f streams lines as written and ends when the container exits', async () => {
    const child = spawn('/usr/bin/kubectl', ['logs', '-f', 'follow'], { env });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        resolve(code);
      }),
    );
    try {
      await until(() => out === 'first\n', 'the existing line');
      appendFileSync(logPaths.get('follow') ?? '', formatCriLogLine(Date.now(), 'stdout', 'second'));
      await until(() => out === 'first\nsecond\n', 'the appended line');
      await f.runtime.stopContainer(ids.get('follow') ?? '', 1);
      expect(await exited).toBe(0);
      expect(out).toBe('first\nsecond\n');
    } finally {
      child.kill();
    }
  });

  it('kubectl exec runs a command and prints its output', async () => {
    expect(await kubectl(['exec', 'web', '--', 'echo', 'hi'])).toEqual({
      code: 0,
      stdout: 'hi\n',
      stderr: '',
    });
  });

  it('kubectl exec -i passes stdin', async () => {
    const res = await kubectl(['exec', '-i', 'web', '--', 'cat'], 'some input\nmore\n');
    expect(res).toMatchObject({ code: 0, stdout: 'some input\nmore\n' });
  });

  it('kubectl exec exits with the command exit code', async () => {
    const res = await kubectl(['exec', 'web', '--', 'sh', '-c', 'echo oops >&2; exit 7']);
    expect(res.code).toBe(7);
    expect(res.stderr).toContain('oops');
    expect(res.stderr).toContain('command terminated with exit code 7');
  });

  it('kubectl exec of a command that does not exist fails with 127', async () => {
    const res = await kubectl(['exec', 'web', '--', 'no-such-command']);
    expect(res.code).toBe(127);
  });

  it('kubectl exec into a container that does not exist reports it', async () => {
    const res = await kubectl(['exec', 'web', '-c', 'nope', '--', 'true']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('container nope is not valid for pod web');
  });
});
