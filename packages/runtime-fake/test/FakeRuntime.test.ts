import { readFileSync } from 'node:fs';

import { afterAll, describe, expect, it } from '@jest/globals';
import { ApiError, parseCriLog, Runtime, type ContainerEvent } from '@tugboat/core';
import { Container } from 'inversify';

import { FakeBehaviours, FakeRuntime, ManualClock, behaviours, fakeRuntimeModule } from '../src/index.js';
import { containerConfig, removeLogDirs, sandboxConfig } from './helpers.js';

afterAll(removeLogDirs);

function setup(
  registry = new FakeBehaviours(),
  extra: Partial<ConstructorParameters<typeof FakeRuntime>[0]> = {},
) {
  const clock = new ManualClock();
  const runtime = new FakeRuntime({ clock, behaviours: registry, images: ['busybox:1.35'], ...extra });
  return { clock, runtime };
}

async function startOne(runtime: FakeRuntime, name: string, command?: readonly string[], extra = {}) {
  const sb = sandboxConfig(`pod-${name}`);
  const podId = await runtime.runPodSandbox(sb);
  const id = await runtime.createContainer(podId, containerConfig(name, command, extra), sb);
  await runtime.startContainer(id);
  return { podId, id, sb };
}

describe('FakeRuntime scripting', () => {
  it('exits with the scripted code exactly when the clock reaches the scripted time', async () => {
    const { clock, runtime } = setup(
      new FakeBehaviours().forImage('busybox:1.35', behaviours.exitAfter(3, 5000)),
    );
    const { id } = await startOne(runtime, 'job');
    await clock.advance(4999);
    expect((await runtime.containerStatus(id)).state).toBe('CONTAINER_RUNNING');
    await clock.advance(1);
    const status = await runtime.containerStatus(id);
    expect(status).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 3, reason: 'Error' });
    expect(status.finishedAt - status.startedAt).toBe(5000);
  });

  it('scripts a crash loop that heals from a given attempt', async () => {
    const registry = new FakeBehaviours().forContainer(
      'flaky',
      behaviours.crashLoop({ exitCode: 2, afterMs: 100, message: 'boom', healthyFromAttempt: 2 }),
    );
    const { clock, runtime } = setup(registry);
    const sb = sandboxConfig('crash');
    const podId = await runtime.runPodSandbox(sb);
    const states: string[] = [];
    for (const attempt of [0, 1, 2]) {
      const id = await runtime.createContainer(
        podId,
        {
          ...containerConfig('flaky'),
          metadata: { name: 'flaky', attempt },
          logPath: `flaky/${attempt}.log`,
        },
        sb,
      );
      await runtime.startContainer(id);
      await clock.advance(100);
      const s = await runtime.containerStatus(id);
      states.push(`${s.state}:${s.exitCode}`);
      if (attempt === 0)
        expect(parseCriLog(readFileSync(s.logPath, 'utf8'))).toMatchObject([
          { stream: 'stderr', content: 'boom' },
        ]);
    }
    expect(states).toEqual(['CONTAINER_EXITED:2', 'CONTAINER_EXITED:2', 'CONTAINER_RUNNING:0']);
  });

  it('prints scripted log lines in CRI format, stamped with the clock', async () => {
    const registry = new FakeBehaviours().forContainer(
      'talker',
      behaviours.printLogs(['one', 'two'], { intervalMs: 1000 }),
    );
    const { clock, runtime } = setup(registry);
    const { id } = await startOne(runtime, 'talker');
    const start = clock.now();
    await clock.advance(2000);
    const lines = parseCriLog(readFileSync((await runtime.containerStatus(id)).logPath, 'utf8'));
    expect(lines.map((l) => [l.content, Date.parse(l.time) - start])).toEqual([
      ['one', 1000],
      ['two', 2000],
    ]);
    expect((await runtime.containerStatus(id)).state).toBe('CONTAINER_RUNNING');
  });

  it('answers scripted execs and interprets the rest', async () => {
    const registry = new FakeBehaviours().forContainer(
      'db',
      behaviours.answerExec({ 'pg_isready -q': { exitCode: 0, stdout: 'accepting\n' } }),
    );
    const { runtime } = setup(registry);
    const { id } = await startOne(runtime, 'db');
    const scripted = await runtime.execSync(id, ['pg_isready', '-q']);
    expect(Buffer.from(scripted.stdout).toString()).toBe('accepting\n');
    const interpreted = await runtime.execSync(id, ['sh', '-c', 'echo ok > /tmp/ready && cat /tmp/ready']);
    expect(Buffer.from(interpreted.stdout).toString()).toBe('ok\n');
    const missing = await runtime.execSync(id, ['pg_dump']);
    expect(missing.exitCode).toBe(127);
  });

  it('kills a container with OOMKilled at the scripted time', async () => {
    const { clock, runtime } = setup(new FakeBehaviours().forContainer('hog', behaviours.oomAfter(250)));
    const { id } = await startOne(runtime, 'hog');
    await clock.advance(250);
    expect(await runtime.containerStatus(id)).toMatchObject({
      state: 'CONTAINER_EXITED',
      exitCode: 137,
      reason: 'OOMKilled',
    });
  });

  it('waits the whole grace period for a container that ignores SIGTERM, then kills it', async () => {
    const { clock, runtime } = setup(
      new FakeBehaviours().forContainer('stubborn', behaviours.runForever({ onSigterm: 'ignore' })),
    );
    const { id } = await startOne(runtime, 'stubborn');
    let stopped = false;
    const stop = runtime.stopContainer(id, 10).then(() => (stopped = true));
    await clock.advance(9999);
    expect(stopped).toBe(false);
    expect((await runtime.containerStatus(id)).state).toBe('CONTAINER_RUNNING');
    await clock.advance(1);
    await stop;
    expect(await runtime.containerStatus(id)).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 137 });
  });

  it('lets a scripted SIGTERM handler choose the exit code, and a bare process die by the signal', async () => {
    const registry = new FakeBehaviours().forContainer(
      'graceful',
      behaviours.runForever({ onSigterm: { exitCode: 0 } }),
    );
    const { runtime } = setup(registry);
    const graceful = await startOne(runtime, 'graceful');
    const plain = await startOne(runtime, 'plain', ['sleep', '3600']);
    await runtime.stopContainer(graceful.id, 30);
    await runtime.stopContainer(plain.id, 30);
    expect((await runtime.containerStatus(graceful.id)).exitCode).toBe(0);
    expect((await runtime.containerStatus(plain.id)).exitCode).toBe(143);
  });

  it('reports scripted stats, with CPU time growing with the clock', async () => {
    const registry = new FakeBehaviours().forContainer(
      'busy',
      behaviours.runForever({ stats: { memoryWorkingSetBytes: 5e6, cpuNanoCores: 5e8 } }),
    );
    const { clock, runtime } = setup(registry);
    const { id } = await startOne(runtime, 'busy');
    await clock.advance(2000);
    const stats = await runtime.containerStats(id);
    expect(stats).toMatchObject({
      memoryWorkingSetBytes: 5e6,
      cpuUsageNanoCores: 5e8,
      cpuUsageCoreNanoSeconds: 1e9,
    });
  });

  it('prefers a behaviour registered for the container name over one for its image', async () => {
    const registry = new FakeBehaviours()
      .forImage('docker.io/library/busybox:1.35', behaviours.exitAfter(1, 0))
      .forContainer('special', behaviours.exitAfter(7, 0));
    const { clock, runtime } = setup(registry);
    const special = await startOne(runtime, 'special');
    const other = await startOne(runtime, 'other');
    await clock.advance(0);
    expect((await runtime.containerStatus(special.id)).exitCode).toBe(7);
    expect((await runtime.containerStatus(other.id)).exitCode).toBe(1);
  });
});

describe('FakeRuntime simulation of the node', () => {
  it('delays calls by the configured latency on its clock', async () => {
    const { clock, runtime } = setup(new FakeBehaviours(), { latencyMs: { version: 300 } });
    let done = false;
    const call = runtime.version().then(() => (done = true));
    await clock.advance(299);
    expect(done).toBe(false);
    await clock.advance(1);
    await call;
    expect(done).toBe(true);
  });

  it('fails every call with Unavailable while the node is down or after close, and keeps state', async () => {
    const { runtime } = setup();
    const { id } = await startOne(runtime, 'kept', ['sleep', '3600']);
    runtime.node.available = false;
    expect(ApiError.is(await runtime.containerStatus(id).catch((e: unknown) => e), 'Unavailable')).toBe(true);
    runtime.node.available = true;
    const second = runtime.reconnect();
    await runtime.close();
    expect(ApiError.is(await runtime.listContainers().catch((e: unknown) => e), 'Unavailable')).toBe(true);
    expect((await second.containerStatus(id)).state).toBe('CONTAINER_RUNNING');
  });

  it('fails to start an unknown program with Invalid and reason StartError', async () => {
    const { runtime } = setup();
    const sb = sandboxConfig('bad');
    const podId = await runtime.runPodSandbox(sb);
    const id = await runtime.createContainer(podId, containerConfig('bad', ['/no/such/binary']), sb);
    const err = await runtime.startContainer(id).catch((e: unknown) => e);
    expect(ApiError.is(err, 'Invalid')).toBe(true);
    expect(await runtime.containerStatus(id)).toMatchObject({
      state: 'CONTAINER_EXITED',
      exitCode: 128,
      reason: 'StartError',
    });
  });

  it('refuses configs without their identity with Invalid, creating nothing', async () => {
    const { runtime } = setup();
    const bad = { metadata: { name: '', uid: '', namespace: 'x', attempt: 0 }, logDirectory: '/tmp' };
    const err = await runtime.runPodSandbox(bad).catch((e: unknown) => e);
    expect(ApiError.is(err, 'Invalid')).toBe(true);
    expect((err as ApiError).details.causes?.map((c) => c.field)).toEqual(['metadata.name', 'metadata.uid']);
    expect(await runtime.listPodSandboxes()).toEqual([]);
    const sb = sandboxConfig('ok');
    const podId = await runtime.runPodSandbox(sb);
    const noName = { ...containerConfig('x', ['true']), metadata: { name: '', attempt: 0 } };
    expect(
      ApiError.is(await runtime.createContainer(podId, noName, sb).catch((e: unknown) => e), 'Invalid'),
    ).toBe(true);
    expect(await runtime.listContainers()).toEqual([]);
  });

  it('keeps idle containers free of timers', async () => {
    const { clock, runtime } = setup(new FakeBehaviours().forContainer('idle', behaviours.runForever()));
    await startOne(runtime, 'idle');
    await startOne(runtime, 'infinite', ['sleep', 'infinity']);
    await startOne(runtime, 'loop', ['sh', '-c', 'while true; do sleep 5; done']);
    await startOne(runtime, 'server', ['httpd', '-f', '-p', '8080']);
    await clock.advance(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('emits events in order with the exit code on exited', async () => {
    const { clock, runtime } = setup(new FakeBehaviours().forContainer('short', behaviours.exitAfter(4, 10)));
    const events: ContainerEvent[] = [];
    runtime.events.subscribe((e) => events.push(e));
    const { id } = await startOne(runtime, 'short');
    await clock.advance(10);
    await runtime.removeContainer(id);
    expect(events.map((e) => e.type)).toEqual(['created', 'started', 'exited', 'deleted']);
    expect(events[2]?.exitCode).toBe(4);
  });

  it('binds the Runtime token through its inversify module', async () => {
    const container = new Container();
    container.load(fakeRuntimeModule({ images: ['busybox:1.35'] }));
    const runtime = container.get<Runtime>(Runtime);
    expect(runtime).toBeInstanceOf(FakeRuntime);
    expect(container.get(Runtime)).toBe(runtime);
    expect((await runtime.listImages()).map((i) => i.repoTags[0])).toEqual([
      'docker.io/library/busybox:1.35',
    ]);
  });
});
