import { expect, it } from '@jest/globals';

import type { RuntimeHarness } from '../RuntimeHarness.js';

/** Container lifecycle, exit codes, command/args/env/working dir, metadata round-trip, stats. */
export function containerCases(harness: () => RuntimeHarness): void {
  it('creates a container in state CREATED with its metadata, image, labels and annotations', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const labels = { app: 'web', 'tugboat.io/role': 'main' };
    const annotations = { 'tugboat.io/hash': 'abc123', note: 'spaces and = signs' };
    const id = await h.create(sb, {
      name: 'web',
      attempt: 2,
      command: ['sleep', '3600'],
      labels,
      annotations,
    });
    const status = await h.runtime.containerStatus(id);
    expect(status.id).toBe(id);
    expect(status.podSandboxId).toBe(sb.id);
    expect(status.state).toBe('CONTAINER_CREATED');
    expect(status.metadata).toEqual({ name: 'web', attempt: 2 });
    expect(status.image).toBe(h.busybox);
    expect(status.imageRef).not.toBe('');
    expect(status.labels).toMatchObject(labels);
    expect(status.annotations).toMatchObject(annotations);
    expect(status.createdAt).toBeGreaterThan(0);
    expect(status.startedAt).toBe(0);
    const [listed] = await h.runtime.listContainers({ id });
    expect(listed?.labels).toMatchObject(labels);
    expect(listed?.annotations).toMatchObject(annotations);
    expect(listed?.metadata).toEqual({ name: 'web', attempt: 2 });
  });

  it('starts a container: RUNNING with a start time', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sleep', '3600'] });
    const status = await h.waitForState(id, 'CONTAINER_RUNNING');
    expect(status.startedAt).toBeGreaterThan(0);
    expect(status.finishedAt).toBe(0);
  });

  it('refuses to start a container that is already running', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sleep', '3600'] });
    await h.waitForState(id, 'CONTAINER_RUNNING');
    const err = await h.errorOf(h.runtime.startContainer(id));
    expect(err.code).not.toBe('NotFound');
    expect((await h.runtime.containerStatus(id)).state).toBe('CONTAINER_RUNNING');
  });

  it('reports exit code 0 and reason Completed for a container that succeeds', async () => {
    const h = harness();
    const status = await h.runToExit(await h.sandbox(), { command: ['true'] });
    expect(status.exitCode).toBe(0);
    expect(status.reason).toBe('Completed');
    expect(status.finishedAt).toBeGreaterThanOrEqual(status.startedAt);
  });

  it('reports the exit code and reason Error for a container that fails', async () => {
    const h = harness();
    const status = await h.runToExit(await h.sandbox(), { command: ['sh', '-c', 'exit 42'] });
    expect(status.exitCode).toBe(42);
    expect(status.reason).toBe('Error');
  });

  it('runs the command with its args', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['echo'], args: ['hello', 'conformance world'] });
    const lines = await h.waitForLog(id, (l) => l.length > 0);
    expect(lines.map((l) => l.content)).toEqual(['hello conformance world']);
  });

  it("replaces the image's default command with args when no command is given", async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { args: ['echo', 'from-args'] });
    const lines = await h.waitForLog(id, (l) => l.length > 0);
    expect(lines[0]?.content).toBe('from-args');
  });

  it('sets environment variables', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['env'], env: { GREETING: 'hello', WITH_SPACES: 'a b c' } });
    const lines = await h.waitForLog(id, (l) => l.some((x) => x.content === 'WITH_SPACES=a b c'));
    const content = lines.map((l) => l.content);
    expect(content).toContain('GREETING=hello');
    expect(content).toContain('WITH_SPACES=a b c');
    expect(content.some((l) => l.startsWith('PATH='))).toBe(true);
  });

  it('runs in the working directory', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['pwd'], workingDir: '/tmp' });
    const lines = await h.waitForLog(id, (l) => l.length > 0);
    expect(lines[0]?.content).toBe('/tmp');
  });

  it('removes a container idempotently: NotFound afterwards and no longer listed', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = (await h.runToExit(sb, { command: ['true'] })).id;
    await h.runtime.removeContainer(id);
    expect((await h.errorOf(h.runtime.containerStatus(id))).code).toBe('NotFound');
    expect(await h.runtime.listContainers({ id })).toEqual([]);
    await h.runtime.removeContainer(id);
  });

  it('removes a running container, killing it', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sleep', '3600'] });
    await h.waitForState(id, 'CONTAINER_RUNNING');
    await h.runtime.removeContainer(id);
    expect((await h.errorOf(h.runtime.containerStatus(id))).code).toBe('NotFound');
  });

  it('answers NotFound for an unknown container id', async () => {
    const h = harness();
    const unknown = 'e'.repeat(64);
    expect((await h.errorOf(h.runtime.containerStatus(unknown))).code).toBe('NotFound');
    expect((await h.errorOf(h.runtime.startContainer(unknown))).code).toBe('NotFound');
    expect((await h.errorOf(h.runtime.stopContainer(unknown, 1))).code).toBe('NotFound');
    expect((await h.errorOf(h.runtime.containerStats(unknown))).code).toBe('NotFound');
    expect((await h.errorOf(h.runtime.execSync(unknown, ['true']))).code).toBe('NotFound');
  });

  it('reports stats of a running container', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, { command: ['sleep', '3600'] });
    await h.waitForState(id, 'CONTAINER_RUNNING');
    const stats = await h.runtime.containerStats(id);
    expect(stats.id).toBe(id);
    expect(stats.timestamp).toBeGreaterThan(0);
    expect(stats.memoryWorkingSetBytes).toBeGreaterThanOrEqual(0);
    expect(stats.cpuUsageCoreNanoSeconds).toBeGreaterThanOrEqual(0);
  });

  it('keeps earlier attempts of a container as separate containers', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const first = (await h.runToExit(sb, { name: 'app', attempt: 0, command: ['sh', '-c', 'exit 1'] })).id;
    const second = (await h.runToExit(sb, { name: 'app', attempt: 1, command: ['true'] })).id;
    expect(second).not.toBe(first);
    const listed = await h.runtime.listContainers({ podSandboxId: sb.id });
    expect(listed.map((c) => c.metadata.attempt).sort()).toEqual([0, 1]);
    expect((await h.runtime.containerStatus(first)).exitCode).toBe(1);
    expect((await h.runtime.containerStatus(second)).exitCode).toBe(0);
  });
}
