import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from '@jest/globals';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

interface Tug {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function tug(...args: string[]): Tug {
  const child = spawn(join(repo, 'tug'), args, {
    cwd: repo,
    env: { ...process.env, TUG_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (c: Buffer): void => {
    out += c.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      resolve(code);
    });
  });
  return { child, output: () => out, exited };
}

async function waitFor(t: Tug, pattern: RegExp, ms = 90_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = pattern.exec(t.output());
    if (m) return m;
    if (t.child.exitCode !== null)
      throw new Error(`tug exited (${t.child.exitCode}) before ${pattern}:\n${t.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms:\n${t.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `tug up` on a simulated node with its own name and a free kubelet port, so runs never collide. */
function up(port: number, dir: string): Tug {
  return tug(
    'up',
    '--port',
    String(port),
    '--data-dir',
    dir,
    '--runtime',
    'fake',
    '--kubelet-port',
    '0',
    '--node-name',
    'tug-test-node',
    '--dns-port',
    '0',
  );
}

const readyJsonPath =
  'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function kubectl(
  home: string,
  config: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/kubectl',
      ['--kubeconfig', config, ...args],
      {
        env: { PATH: process.env['PATH'] ?? '/usr/bin', HOME: home, KUBECACHEDIR: join(home, 'cache') },
        timeout: 30_000,
      },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
      },
    );
  });
}

describe('tug up', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tug-up-'));
    cleanups.push(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    return dir;
  };
  const started = (t: Tug): Tug => {
    cleanups.push(() => {
      if (t.child.exitCode === null) t.child.kill('SIGKILL');
    });
    return t;
  };

  it('serves HTTPS, writes the admin kubeconfig that kubectl uses, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const home = tempDir();
    const port = await freePort();
    const t = started(up(port, dir));
    const [, path] = await waitFor(t, /ready: kubeconfig at (\S+)/);
    expect(path).toBe(join(dir, 'kubeconfig'));
    // Progress, in the order the components come up.
    const lines = t.output().split('\n');
    const order = [
      'runtime: fake',
      'store: ',
      'apiserver: ',
      'scheduler: started',
      'controllers: started',
      'kubelet: node tug-test-node registered',
      'ready: ',
    ].map((prefix) => lines.findIndex((l) => l.startsWith(prefix)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const nodes = await kubectl(home, join(dir, 'kubeconfig'), 'get', 'nodes', '-o', readyJsonPath);
    expect(nodes.stderr).toBe('');
    expect(nodes.stdout.trim()).toBe('tug-test-node=True');
    expect(statSync(join(dir, 'kubeconfig')).mode & 0o077).toBe(0);
    const run = await kubectl(home, join(dir, 'kubeconfig'), 'get', 'namespaces', '-o', 'name');
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')).toEqual(
      expect.arrayContaining(['namespace/default', 'namespace/kube-system']),
    );
    const server = await kubectl(
      home,
      join(dir, 'kubeconfig'),
      'config',
      'view',
      '-o',
      'jsonpath={.clusters[0].cluster.server}',
    );
    expect(server.stdout).toBe(`https://127.0.0.1:${port}`);
    t.child.kill('SIGTERM');
    expect(await t.exited).toBe(0);
    expect(t.output()).toContain('stopped');
  }, 180_000);

  it('runs a pod on its node: scheduled, Running, with kubectl logs and exec through the apiserver', async () => {
    const dir = tempDir();
    const home = tempDir();
    const t = started(up(await freePort(), dir));
    await waitFor(t, /ready: kubeconfig/);
    const config = join(dir, 'kubeconfig');
    const manifest = join(home, 'pod.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'hello' },
        spec: {
          containers: [
            {
              name: 'main',
              image: 'busybox:1.35',
              command: ['sh', '-c', 'echo hello from the pod; httpd -f -p 8080'],
            },
          ],
        },
      }),
    );
    expect((await kubectl(home, config, 'apply', '-f', manifest)).code).toBe(0);
    const wait = await kubectl(home, config, 'wait', '--for=condition=Ready', 'pod/hello', '--timeout=25s');
    expect(wait.stderr).toBe('');
    const node = await kubectl(home, config, 'get', 'pod', 'hello', '-o', 'jsonpath={.spec.nodeName}');
    expect(node.stdout).toBe('tug-test-node');
    expect((await kubectl(home, config, 'logs', 'hello')).stdout).toBe('hello from the pod\n');
    const exec = await kubectl(home, config, 'exec', 'hello', '--', 'sh', '-c', 'echo exec-ok');
    expect(exec.stdout).toBe('exec-ok\n');
    // metrics.k8s.io, scraped from the kubelet's stats summary: kubectl top shows the node and the pod.
    const topNodes = await kubectl(home, config, 'top', 'nodes', '--no-headers');
    expect(topNodes.stdout).toMatch(/^tug-test-node\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
    const topPods = await kubectl(home, config, 'top', 'pods', '--no-headers');
    expect(topPods.stdout).toMatch(/^hello\s+\d+m\s+\d+Mi/);
    t.child.kill('SIGTERM');
    expect(await t.exited).toBe(0);
  }, 180_000);

  it('keeps its PKI and data across a restart', async () => {
    const dir = tempDir();
    const home = tempDir();
    const first = started(up(await freePort(), dir));
    await waitFor(first, /ready: kubeconfig/);
    const config = join(dir, 'kubeconfig');
    expect((await kubectl(home, config, 'create', 'namespace', 'kept')).code).toBe(0);
    // Objects with owners (a Deployment's ReplicaSet and pods) are in the caches the restarted
    // controllers start from.
    const deploy = [
      'create',
      'deployment',
      'kept',
      '--image=busybox:1.35',
      '--replicas=2',
      '--',
      'sleep',
      '3600',
    ];
    expect((await kubectl(home, config, ...deploy)).code).toBe(0);
    const rolled = await kubectl(home, config, 'rollout', 'status', 'deployment/kept', '--timeout=60s');
    expect(rolled.stdout).toContain('successfully rolled out');
    const podsBefore = await kubectl(home, config, 'get', 'pods', '-o', 'name');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = started(up(await freePort(), dir));
    await waitFor(second, /ready: kubeconfig/);
    const run = await kubectl(home, config, 'get', 'namespace', 'kept', '-o', 'name');
    expect(run.stdout.trim()).toBe('namespace/kept');
    // The restarted kubelet takes over its Node rather than failing on it.
    const nodes = await kubectl(home, config, 'get', 'nodes', '-o', readyJsonPath);
    expect(nodes.stdout.trim()).toBe('tug-test-node=True');
    // The same two pods, adopted rather than replaced.
    expect((await kubectl(home, config, 'get', 'pods', '-o', 'name')).stdout).toBe(podsBefore.stdout);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 240_000);

  it.each([
    [['--port', 'http'], /--port must be a number from 0 to 65535, got "http"/],
    [['--port', '70000'], /--port must be a number/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--data-dir'], /--data-dir/],
    [['--runtime', 'podman'], /--runtime must be one of auto, containerd, docker, fake, got "podman"/],
  ])(
    'refuses bad flags %j with one message and exit code 2',
    async (args, message) => {
      const dir = tempDir();
      const t = started(
        tug('up', ...args, ...(args.includes('--data-dir') ? [] : ['--data-dir', join(dir, 'never')])),
      );
      expect(await t.exited).toBe(2);
      expect(t.output()).toMatch(message);
      expect(t.output().trim().split('\n')).toHaveLength(1);
    },
    60_000,
  );

  it('starts from a --config file, flags overriding it: with the kubelet off there is no node', async () => {
    const dir = tempDir();
    const home = tempDir();
    const file = join(dir, 'cluster.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: tugboat.dev/v1alpha1',
        'kind: TugConfig',
        'port: 1',
        'dataDir: state',
        'runtime: fake',
        'components:',
        '  kubelet: false',
        '  proxy: false',
        '  dns: false',
        '  cloud: false',
        'controllers: [namespace, serviceaccount]',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const t = started(tug('up', '--config', file, '--port', String(port)));
    const [, path] = await waitFor(t, /ready: kubeconfig at (\S+)/);
    expect(path).toBe(join(dir, 'state', 'kubeconfig'));
    expect(t.output()).toContain(`apiserver: listening on https://127.0.0.1:${port}`);
    for (const off of ['kubelet: off', 'proxy: off', 'dns: off', 'cloud: off'])
      expect(t.output()).toContain(off);
    expect(t.output()).not.toMatch(/^runtime: /m);
    const nodes = await kubectl(home, path ?? '', 'get', 'nodes', '-o', 'name');
    expect(nodes.code).toBe(0);
    expect(nodes.stdout).toBe('');
    // The controllers chosen in the file run: a new namespace gets its default ServiceAccount.
    expect((await kubectl(home, path ?? '', 'create', 'namespace', 'cfg')).code).toBe(0);
    const deadline = Date.now() + 30_000;
    let sa = await kubectl(home, path ?? '', 'get', 'serviceaccount', 'default', '-n', 'cfg', '-o', 'name');
    while (sa.code !== 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      sa = await kubectl(home, path ?? '', 'get', 'serviceaccount', 'default', '-n', 'cfg', '-o', 'name');
    }
    expect(sa.stdout.trim()).toBe('serviceaccount/default');
    t.child.kill('SIGTERM');
    expect(await t.exited).toBe(0);
  }, 180_000);

  it.each([
    ['portt: 6443\n', 'unknown field "portt"'],
    ['port: "6443"\n', 'port must be a number, got string "6443"'],
    ['dnsAddress: localhost\n', 'dnsAddress must be an IPv4 address, got "localhost"'],
    ['controllers: [replicaset, cronjob]\n', 'controllers: unknown controller "cronjob"'],
  ])(
    'refuses a bad config file (%j) with one message naming the file and field, exit 2',
    async (body, message) => {
      const dir = tempDir();
      const file = join(dir, 'cluster.yaml');
      writeFileSync(file, `apiVersion: tugboat.dev/v1alpha1\nkind: TugConfig\ndataDir: never\n${body}`);
      const t = started(tug('up', '--config', file));
      expect(await t.exited).toBe(2);
      expect(t.output()).toContain(`${file}: ${message}`);
      expect(t.output().trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(dir, 'never'))).toBe(false);
    },
    60_000,
  );

  it('refuses a corrupt data directory, naming the file and leaving it as it was', async () => {
    const dir = tempDir();
    const first = started(up(await freePort(), dir));
    await waitFor(first, /ready: kubeconfig/);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const wal = readdirSync(join(dir, 'store')).find((f) => f.startsWith('wal-'));
    expect(wal).toBeDefined();
    const walPath = join(dir, 'store', wal ?? '');
    const bytes = readFileSync(walPath);
    bytes.fill(0x58, bytes.length >> 1, (bytes.length >> 1) + 16);
    writeFileSync(walPath, bytes);
    const second = started(up(await freePort(), dir));
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`data file ${walPath} is corrupt`);
    expect(second.output()).not.toContain('ready:');
    expect(readFileSync(walPath).equals(bytes)).toBe(true);

    writeFileSync(join(dir, 'pki', 'ca.key'), 'garbage\n');
    const third = started(up(await freePort(), dir));
    expect(await third.exited).toBe(1);
    expect(third.output()).toContain(`${join(dir, 'pki', 'ca.key')} is not a PEM private key; restore it`);
    expect(readFileSync(join(dir, 'pki', 'ca.key'), 'utf8')).toBe('garbage\n');
  }, 240_000);

  it('names an unreachable etcd and exits non-zero', async () => {
    const dir = tempDir();
    const t = started(
      tug('control-plane', '--store', 'etcd://127.0.0.1:1', '--port', '0', '--data-dir', join(dir, 'cp')),
    );
    expect(await t.exited).toBe(1);
    expect(t.output()).toContain(
      'cannot reach etcd: etcd://127.0.0.1:1: connection refused (is etcd running there?)',
    );
    expect(t.output()).not.toContain('ready:');
  }, 120_000);

  it('names the port and the fix when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      blocker.close();
    });
    const { port } = blocker.address() as AddressInfo;
    const t = started(up(port, tempDir()));
    expect(await t.exited).toBe(1);
    expect(t.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(t.output()).toContain('--port');
  }, 180_000);

  it("names the kubelet's port and the fix when it is in use", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      blocker.close();
    });
    const { port } = blocker.address() as AddressInfo;
    const t = started(
      tug('up', '--port', '0', '--data-dir', tempDir(), '--runtime', 'fake', '--kubelet-port', String(port)),
    );
    expect(await t.exited).toBe(1);
    expect(t.output()).toContain(`the kubelet's port ${port} on 127.0.0.1 is already in use`);
    expect(t.output()).toContain('--kubelet-port');
  }, 180_000);

  it('refuses an explicit runtime that does not answer before starting anything, naming the socket and the fix', async () => {
    const dir = tempDir();
    const socket = join(dir, 'no-containerd.sock');
    const t = started(
      tug(
        'up',
        '--port',
        '0',
        '--data-dir',
        join(dir, 'never'),
        '--runtime',
        'containerd',
        '--containerd-socket',
        socket,
      ),
    );
    expect(await t.exited).toBe(1);
    expect(t.output()).toContain(`containerd does not answer at ${socket} (connect ENOENT)`);
    expect(t.output()).toContain('make daemons');
    expect(t.output()).not.toContain('apiserver:');
    expect(existsSync(join(dir, 'never'))).toBe(false);
  }, 60_000);
});
