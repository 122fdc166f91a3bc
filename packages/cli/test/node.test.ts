import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpApiClient, loadKubeconfig } from '@tugboat/client';
import { resources } from '@tugboat/core';

import { eventually, startTug, type TugProcess } from './haHarness.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const run = promisify(execFile);

/** Runs `./tug ...args` to its end: the exit code and everything it printed. */
async function tugOnce(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(join(repo, 'tug'), args, { cwd: repo, timeout: 120_000 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** GET without credentials and without trusting the server yet: the status code. */
function anonymousGet(server: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server), { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Connects to `host:port` and resolves what the far side writes before closing. */
function readFrom(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('end', () => {
      resolve(data);
    });
    socket.on('error', reject);
  });
}

describe('tug node joining by token discovery and running its proxy', () => {
  let dir = '';
  let plane: TugProcess | undefined;
  let node: TugProcess | undefined;
  let client: HttpApiClient | undefined;
  let backend: Server | undefined;
  let server = '';
  let join: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join_(tmpdir(), 'tug-node-'));
    // Its own cluster IP range, so the node's proxy never meets another test's listeners.
    plane = startTug([
      'control-plane',
      '--port',
      '0',
      '--data-dir',
      join_(dir, 'cp'),
      '--service-cluster-ip-range',
      '127.77.0.0/16',
    ]);
    server = (await plane.waitFor(/apiserver: listening on (https:\/\/127\.0\.0\.1:\d+)/, 120_000))[1] ?? '';
    await plane.waitFor(/^ready: /m, 120_000);
    client = new HttpApiClient({
      // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a plain object (the options type shares its name with a DI token)
      ...loadKubeconfig(join_(dir, 'cp', 'kubeconfig')),
      timeoutMs: 10_000,
    });
    const created = await tugOnce([
      'token',
      'create',
      '--data-dir',
      join_(dir, 'cp'),
      '--print-join-command',
    ]);
    expect(created.code).toBe(0);
    const line = created.output.split('\n').find((l) => l.startsWith('tug node ')) ?? '';
    join = line.split(' ').slice(2);
    backend = createServer((socket) => {
      socket.end('hello from the backend');
    });
    await new Promise<void>((resolve) => backend?.listen(0, '127.0.0.1', resolve));
  }, 240_000);

  afterAll(async () => {
    client?.close();
    await node?.kill('SIGKILL');
    await plane?.kill('SIGKILL');
    await new Promise<void>((resolve) => {
      if (backend === undefined) resolve();
      else
        backend.close(() => {
          resolve();
        });
    });
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('prints a join command with the server, the token and the CA public key hash', () => {
    expect(join).toEqual([
      '--server',
      server,
      '--token',
      expect.stringMatching(/^[a-z0-9]{6}\.[a-z0-9]{16}$/),
      '--discovery-token-ca-cert-hash',
      expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    ]);
  });

  it('serves only cluster-info to requests without credentials', async () => {
    expect(await anonymousGet(server, '/api/v1/namespaces/kube-public/configmaps/cluster-info')).toBe(200);
    expect(await anonymousGet(server, '/api/v1/namespaces/kube-public/configmaps')).toBe(401);
    expect(await anonymousGet(server, '/api/v1/namespaces/kube-system/secrets')).toBe(401);
  });

  it('refuses a wrong token secret or a wrong CA hash, writing nothing', async () => {
    const token = join[3] ?? '';
    const wrongSecret = `${token.slice(0, 7)}${token[7] === 'a' ? 'b' : 'a'}${token.slice(8)}`;
    const nodeDir = join_(dir, 'refused');
    const withArgs = (args: string[]): string[] => [
      'node',
      ...args,
      '--node-name',
      'refused',
      '--data-dir',
      nodeDir,
      '--runtime',
      'fake',
      '--kubelet-port',
      '0',
    ];
    // Both at once: each is a whole tug process.
    const [badToken, badHash] = await Promise.all([
      tugOnce(withArgs(join.map((a) => (a === token ? wrongSecret : a)))),
      tugOnce(withArgs(join.map((a) => (a.startsWith('sha256:') ? `sha256:${'0'.repeat(64)}` : a)))),
    ]);
    expect(badToken.code).not.toBe(0);
    expect(badToken.output).toMatch(/signature does not verify with token/);
    expect(badHash.code).not.toBe(0);
    expect(badHash.output).toMatch(/matches no --discovery-token-ca-cert-hash/);
    expect(existsSync(nodeDir)).toBe(false);
  }, 120_000);

  it('joins without --ca-cert, learning the CA by discovery, and its proxy serves a Service', async () => {
    const api = client as HttpApiClient;
    node = startTug([
      'node',
      ...join,
      '--node-name',
      'n1',
      '--data-dir',
      join_(dir, 'n1'),
      '--runtime',
      'fake',
      '--kubelet-port',
      '0',
    ]);
    await node.waitFor(
      /^discovery: cluster CA from kube-public\/cluster-info, signed with token \w+ and matching the pinned hash/m,
      120_000,
    );
    await node.waitFor(/^proxy: started \(cluster IPs, and NodePorts on 127\.0\.0\.1\)/m, 120_000);
    await node.waitFor(/^ready: /m, 60_000);
    expect(await readFile(join_(dir, 'n1', 'ca.crt'), 'utf8')).toBe(
      await readFile(join_(dir, 'cp', 'pki', 'ca.crt'), 'utf8'),
    );

    const svc = await api.create(
      resources.Services,
      { metadata: { name: 'echo', namespace: 'default' }, spec: { ports: [{ name: 'tcp', port: 7000 }] } },
      { namespace: 'default' },
    );
    const address = backend?.address();
    const backendPort = typeof address === 'object' && address !== null ? address.port : 0;
    await api.create(
      resources.EndpointSlices,
      {
        metadata: {
          name: 'echo-manual',
          namespace: 'default',
          labels: {
            'kubernetes.io/service-name': 'echo',
            'endpointslice.kubernetes.io/managed-by': 'node-test',
          },
        },
        addressType: 'IPv4',
        ports: [{ name: 'tcp', port: backendPort, protocol: 'TCP' }],
        endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      },
      { namespace: 'default' },
    );
    const clusterIp = svc.spec?.clusterIP ?? '';
    expect(clusterIp).toMatch(/^127\.77\./);
    // No other proxy runs in this cluster: the answer comes through the node's.
    const answer = await eventually('the Service answers on its cluster IP', 30_000, async () => {
      const text = await readFrom(clusterIp, 7000);
      return text === '' ? undefined : text;
    });
    expect(answer).toBe('hello from the backend');

    await node.kill('SIGTERM');
    expect(node.output()).toMatch(/^stopped$/m);
  }, 240_000);
});

function join_(...parts: string[]): string {
  return join(...parts);
}
