import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, imagePullReason, type ContainerEvent, type PodSandboxConfig } from '@tugboat/core';

import { ContainerdRuntime } from '../src/index.js';
import { containerdWithImages } from './containerdDaemon.js';

const podSubnet = /^10\.88\.\d{1,3}\.\d{1,3}$/;

async function errorOf(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (ApiError.is(err)) return err;
    throw new Error(`expected an ApiError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected the call to fail');
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function httpGet(url: string): Promise<string | undefined> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return res.ok ? await res.text() : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => {
        resolve(port);
      });
    });
    srv.on('error', reject);
  });
}

describe('ContainerdRuntime on a real containerd', () => {
  let runtime: ContainerdRuntime;
  let busybox: string;
  let logRoot: string;
  const sandboxes: string[] = [];
  let seq = 0;

  beforeAll(async () => {
    const { socket, images } = await containerdWithImages();
    runtime = new ContainerdRuntime({ socket });
    busybox = images.busybox.ref;
    logRoot = await mkdtemp(path.join(os.tmpdir(), 'tug-containerd-'));
  }, 120_000);

  afterEach(async () => {
    for (const id of sandboxes.splice(0)) await runtime.removePodSandbox(id);
  }, 60_000);

  afterAll(async () => {
    await runtime.close();
    if (logRoot) await rm(logRoot, { recursive: true, force: true });
  });

  async function sandbox(hostNetwork: boolean): Promise<{ id: string; config: PodSandboxConfig }> {
    const name = `ctrd-${process.pid}-${++seq}`;
    const config: PodSandboxConfig = {
      metadata: { name, uid: `uid-${name}`, namespace: 'containerd-test', attempt: 0 },
      logDirectory: path.join(logRoot, name),
      hostNetwork,
      hostname: name,
    };
    const id = await runtime.runPodSandbox(config);
    sandboxes.push(id);
    return { id, config };
  }

  async function run(sb: { id: string; config: PodSandboxConfig }, command: string[]): Promise<string> {
    const id = await runtime.createContainer(
      sb.id,
      { metadata: { name: `c${++seq}`, attempt: 0 }, image: busybox, command, logPath: `c${seq}.log` },
      sb.config,
    );
    await runtime.startContainer(id);
    return id;
  }

  const httpdCommand = (port: number): string[] => [
    'sh',
    '-c',
    `mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p ${port} -h /www`,
  ];

  it('gives a pod-network sandbox an IP on the CNI bridge, where its httpd answers this machine', async () => {
    const sb = await sandbox(false);
    const status = await runtime.podSandboxStatus(sb.id);
    expect(status.ip).toMatch(podSubnet);
    await run(sb, httpdCommand(8080));
    const body = await waitFor('the pod httpd', () => httpGet(`http://${status.ip}:8080/`));
    expect(body).toBe('hello-from-pod\n');
  });

  it('runs a host-network sandbox in the node network: no pod IP, and its httpd answers on loopback', async () => {
    const sb = await sandbox(true);
    expect((await runtime.podSandboxStatus(sb.id)).ip).toBeUndefined();
    const port = await freePort();
    await run(sb, httpdCommand(port));
    const body = await waitFor('the host-network httpd', () => httpGet(`http://127.0.0.1:${port}/`));
    expect(body).toBe('hello-from-pod\n');
  });

  it('reports the exit code with the exited event', async () => {
    const seen: ContainerEvent[] = [];
    const sub = runtime.events.subscribe((e) => seen.push(e));
    try {
      const sb = await sandbox(true);
      const id = await run(sb, ['sh', '-c', 'exit 12']);
      const exited = await waitFor('the exited event', () =>
        Promise.resolve(seen.find((e) => e.containerId === id && e.type === 'exited')),
      );
      expect(exited.exitCode).toBe(12);
      expect(seen.filter((e) => e.containerId === id).map((e) => e.type)).toEqual([
        'created',
        'started',
        'exited',
      ]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('streams exec with stdin to its end and with a TTY', async () => {
    const sb = await sandbox(true);
    const id = await run(sb, ['sleep', '3600']);
    await waitFor('running', async () =>
      (await runtime.containerStatus(id)).state === 'CONTAINER_RUNNING' ? true : undefined,
    );
    let out = '';
    const stdout = new PassThrough().on('data', (d: Buffer) => (out += d.toString()));
    const code = await runtime.exec(id, ['sh', '-c', 'wc -l; exit 4'], {
      stdin: Readable.from(['a\n', 'b\n', 'c\n']),
      stdout,
    });
    expect(code).toBe(4);
    expect(out.trim()).toBe('3');
    let ttyOut = '';
    const ttyStdout = new PassThrough().on('data', (d: Buffer) => (ttyOut += d.toString()));
    expect(await runtime.exec(id, ['tty'], { stdout: ttyStdout, tty: true })).toBe(0);
    expect(ttyOut).toMatch(/^\/dev\/pts\/\d+/);
  });

  it('rejects an invalid image reference with ImagePull / InvalidImageName, for pulls and creates', async () => {
    const pull = await errorOf(runtime.pullImage('Invalid::Ref'));
    expect(pull.code).toBe('ImagePull');
    expect(imagePullReason(pull)).toBe('InvalidImageName');
    const sb = await sandbox(true);
    const create = await errorOf(
      runtime.createContainer(
        sb.id,
        { metadata: { name: 'bad', attempt: 0 }, image: 'Invalid::Ref', logPath: 'bad.log' },
        sb.config,
      ),
    );
    expect(create.code).toBe('ImagePull');
    expect(imagePullReason(create)).toBe('InvalidImageName');
    expect(await runtime.listContainers({ podSandboxId: sb.id })).toEqual([]);
  });
});

describe('ContainerdRuntime when containerd is not there', () => {
  it('answers Unavailable, naming the socket, when nothing listens on it', async () => {
    const socket = path.join(os.tmpdir(), `tug-no-containerd-${process.pid}.sock`);
    const runtime = new ContainerdRuntime({ socket, callTimeoutMs: 5_000 });
    try {
      const calls = [
        () => runtime.version(),
        () => runtime.listContainers(),
        () => runtime.pullImage('busybox:1.35'),
        () => runtime.containerStatus('x'),
      ];
      for (const call of calls) {
        const err = await errorOf(call());
        expect(err.code).toBe('Unavailable');
        expect(err.message).toContain(socket);
      }
    } finally {
      await runtime.close();
    }
  });

  it('answers Timeout when the daemon accepts the connection but never replies', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tug-silent-'));
    const socket = path.join(dir, 'silent.sock');
    const connections = new Set<net.Socket>();
    const server = net.createServer((c) => connections.add(c.on('error', () => undefined)));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    const runtime = new ContainerdRuntime({ socket, callTimeoutMs: 300 });
    try {
      const err = await errorOf(runtime.version());
      expect(['Timeout', 'Unavailable']).toContain(err.code);
      expect(err.message).toContain(socket);
    } finally {
      await runtime.close();
      for (const c of connections) c.destroy();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
