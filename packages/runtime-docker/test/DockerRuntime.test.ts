import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Container } from 'inversify';
import { ApiError, Runtime, parseCriLog, type ContainerEvent, type PodSandboxConfig } from '@tugboat/core';

import { DockerRuntime, runtimeDockerModule } from '../src/index.js';
import { startTestEngine, type TestEngine } from './dockerEngine.js';

// Real containers on a shared two-core machine: allow slow Engine calls.
jest.setTimeout(90_000);

let engine: TestEngine;
let runtime: DockerRuntime;
const sandboxes: string[] = [];
const dirs: string[] = [];
let seq = 0;

beforeAll(async () => {
  engine = await startTestEngine();
  runtime = new DockerRuntime({ socketPath: engine.socketPath, pauseImage: engine.images.pause.ref });
}, 120_000);

afterEach(async () => {
  for (const id of sandboxes.splice(0)) await runtime.removePodSandbox(id);
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await runtime.close();
});

async function sandboxConfig(extra: Partial<PodSandboxConfig> = {}): Promise<PodSandboxConfig> {
  const logDirectory = await mkdtemp(path.join(os.tmpdir(), 'tug-docker-'));
  dirs.push(logDirectory);
  const name = `dk-${process.pid}-${++seq}`;
  return {
    metadata: { name, uid: `uid-${name}`, namespace: 'docker-tests', attempt: 0 },
    logDirectory,
    ...extra,
  };
}

async function run(config: PodSandboxConfig): Promise<string> {
  const id = await runtime.runPodSandbox(config);
  sandboxes.push(id);
  return id;
}

async function poll<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => {
        resolve(body);
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

describe('DockerRuntime on the bridge network', () => {
  it('serves busybox httpd at the sandbox IP and on a published loopback port, with namespaces shared', async () => {
    const hostPort = await freePort();
    const config = await sandboxConfig({
      hostname: 'web',
      portMappings: [{ protocol: 'TCP', containerPort: 8080, hostPort, hostIp: '127.0.0.1' }],
    });
    const sandboxId = await run(config);
    const status = await runtime.podSandboxStatus(sandboxId);
    expect(status.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const ip = status.ip as string;

    const id = await runtime.createContainer(
      sandboxId,
      {
        metadata: { name: 'web', attempt: 0 },
        image: 'busybox:1.35',
        command: [
          'sh',
          '-c',
          'mkdir -p /www && echo hello-tugboat > /www/index.html && exec httpd -f -p 8080 -h /www',
        ],
        logPath: 'web/0.log',
      },
      config,
    );
    await runtime.startContainer(id);

    expect(await poll('httpd at the sandbox IP', () => httpGet(ip, 8080))).toBe('hello-tugboat\n');
    expect(await poll('httpd on the published port', () => httpGet('127.0.0.1', hostPort))).toBe(
      'hello-tugboat\n',
    );
    // The app container has the sandbox's address, hostname and process table.
    expect(text((await runtime.execSync(id, ['ip', '-4', 'addr', 'show', 'eth0'])).stdout)).toContain(
      `inet ${ip}/`,
    );
    expect(text((await runtime.execSync(id, ['hostname'])).stdout).trim()).toBe('web');
    expect(text((await runtime.execSync(id, ['ps'])).stdout)).toContain('sleep 3600');
  });

  it('reports no IP for a host-network sandbox and runs its containers in the host network', async () => {
    const config = await sandboxConfig({ hostNetwork: true });
    const sandboxId = await run(config);
    expect((await runtime.podSandboxStatus(sandboxId)).ip).toBeUndefined();
    const id = await runtime.createContainer(
      sandboxId,
      {
        metadata: { name: 'probe', attempt: 0 },
        image: 'busybox:1.35',
        command: ['sleep', '3600'],
        logPath: 'probe/0.log',
      },
      config,
    );
    await runtime.startContainer(id);
    const out = text((await runtime.execSync(id, ['ip', '-4', 'addr', 'show', 'lo'])).stdout);
    expect(out).toContain('inet 127.0.0.1/8');
    expect(text((await runtime.execSync(id, ['hostname'])).stdout).trim()).toBe(os.hostname());
  });
});

describe('DockerRuntime when the engine is unreachable', () => {
  it('answers Unavailable, naming the socket, when nothing listens on it', async () => {
    const socketPath = path.join(os.tmpdir(), `tug-no-docker-${process.pid}.sock`);
    const down = new DockerRuntime({ socketPath, callTimeoutMs: 5000 });
    try {
      for (const call of [
        () => down.version(),
        () => down.listPodSandboxes(),
        () => down.containerStatus('abc'),
      ]) {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(ApiError.is(err, 'Unavailable')).toBe(true);
        expect((err as ApiError).message).toContain(socketPath);
      }
    } finally {
      await down.close();
    }
  });

  it('answers Timeout when the engine accepts the connection but never replies', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tug-hung-'));
    dirs.push(dir);
    const socketPath = path.join(dir, 'docker.sock');
    const held: Socket[] = [];
    const server: Server = createServer((s) => void held.push(s));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const hung = new DockerRuntime({ socketPath, callTimeoutMs: 300 });
    try {
      const err = await hung.listContainers().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(ApiError.is(err, 'Timeout')).toBe(true);
      expect((err as ApiError).message).toContain(socketPath);
    } finally {
      await hung.close();
      for (const s of held) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('DockerRuntime state in Docker', () => {
  it('lets a new client finish a log that the closed client began, without duplicates', async () => {
    const config = await sandboxConfig({ hostNetwork: true });
    const sandboxId = await run(config);
    const id = await runtime.createContainer(
      sandboxId,
      {
        metadata: { name: 'talker', attempt: 0 },
        image: 'busybox:1.35',
        command: ['sh', '-c', 'echo one; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo two'],
        logPath: 'talker/0.log',
      },
      config,
    );
    const first = new DockerRuntime({ socketPath: engine.socketPath });
    await first.startContainer(id);
    const logPath = (await first.containerStatus(id)).logPath;
    await poll('the first line', async () =>
      (await readFile(logPath, 'utf8')).includes('stdout F one') ? true : undefined,
    );
    await first.close();

    const second = new DockerRuntime({ socketPath: engine.socketPath });
    try {
      expect((await second.containerStatus(id)).state).toBe('CONTAINER_RUNNING');
      await second.execSync(id, ['touch', '/tmp/go']);
      await poll('the container to exit', async () =>
        (await second.containerStatus(id)).state === 'CONTAINER_EXITED' ? true : undefined,
      );
      const lines = parseCriLog(await readFile(logPath, 'utf8'));
      expect(lines.map((l) => `${l.stream} ${l.content}`)).toEqual(['stdout one', 'stdout two']);
    } finally {
      await second.close();
    }
  });

  it('reports a container whose command does not exist as exited with reason StartError', async () => {
    const config = await sandboxConfig({ hostNetwork: true });
    const sandboxId = await run(config);
    const id = await runtime.createContainer(
      sandboxId,
      {
        metadata: { name: 'broken', attempt: 0 },
        image: 'busybox:1.35',
        command: ['/no/such/binary'],
        logPath: 'broken/0.log',
      },
      config,
    );
    const err = await runtime.startContainer(id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(ApiError.is(err)).toBe(true);
    expect((err as ApiError).message).toContain('/no/such/binary');
    const status = await runtime.containerStatus(id);
    expect(status.state).toBe('CONTAINER_EXITED');
    expect(status.reason).toBe('StartError');
    expect(status.message).toContain('/no/such/binary');
  });

  it('streams events to a client that only subscribes, with the exit code on exited', async () => {
    const watcher = new DockerRuntime({ socketPath: engine.socketPath });
    const seen: ContainerEvent[] = [];
    const sub = watcher.events.subscribe((e) => seen.push(e));
    try {
      const config = await sandboxConfig({ hostNetwork: true });
      const sandboxId = await run(config);
      const id = await runtime.createContainer(
        sandboxId,
        {
          metadata: { name: 'quits', attempt: 0 },
          image: 'busybox:1.35',
          command: ['sh', '-c', 'exit 3'],
          logPath: 'quits/0.log',
        },
        config,
      );
      await runtime.startContainer(id);
      const exited = await poll('the exited event', async () =>
        seen.find((e) => e.containerId === id && e.type === 'exited'),
      );
      expect(exited.exitCode).toBe(3);
      expect(exited.podSandboxId).toBe(sandboxId);
      expect(seen.filter((e) => e.containerId === id).map((e) => e.type)).toEqual([
        'created',
        'started',
        'exited',
      ]);
    } finally {
      sub.unsubscribe();
      await watcher.close();
    }
  });

  it('does not treat Docker containers it did not create as its own', async () => {
    const foreign = await engine.docker.createContainer({ Image: 'busybox:1.35', Cmd: ['true'] });
    try {
      const err = await runtime.containerStatus(foreign.id).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(ApiError.is(err, 'NotFound')).toBe(true);
      expect((await runtime.listContainers()).map((c) => c.id)).not.toContain(foreign.id);
      expect((await runtime.listPodSandboxes()).map((s) => s.id)).not.toContain(foreign.id);
    } finally {
      await foreign.remove({ force: true });
    }
  });

  it('refuses a sandbox whose name and attempt are taken with AlreadyExists', async () => {
    const config = await sandboxConfig({ hostNetwork: true });
    await run(config);
    const err = await runtime.runPodSandbox(config).then(
      (id) => (sandboxes.push(id), undefined),
      (e: unknown) => e,
    );
    expect(ApiError.is(err, 'AlreadyExists')).toBe(true);
  });
});

describe('runtimeDockerModule', () => {
  it('binds the Runtime token to a DockerRuntime on the configured socket', async () => {
    const container = new Container();
    container.load(runtimeDockerModule({ socketPath: engine.socketPath }));
    const bound = container.get<Runtime>(Runtime);
    try {
      expect(bound).toBeInstanceOf(DockerRuntime);
      expect(bound).toBe(container.get(Runtime));
      expect((await bound.version()).runtimeName).toBe('docker');
    } finally {
      await bound.close();
    }
  });
});
