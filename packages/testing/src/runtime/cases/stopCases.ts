import { expect, it } from '@jest/globals';

import type { RuntimeHarness } from '../RuntimeHarness.js';

/** Stop semantics (SIGTERM, then SIGKILL after the grace period) and the memory limit. */
export function stopCases(harness: () => RuntimeHarness): void {
  it('stops a container that handles SIGTERM: it exits with its own code', async () => {
    const h = harness();
    const sb = await h.sandbox();
    // `sleep & wait` because sh runs a trap only between commands; wait returns on the signal.
    const id = await h.start(sb, {
      command: ['sh', '-c', 'trap "exit 0" TERM; echo ready; while :; do sleep 1 & wait; done'],
    });
    await h.waitForLog(id, (l) => l.some((x) => x.content === 'ready'));
    await h.runtime.stopContainer(id, 30);
    const status = await h.runtime.containerStatus(id);
    expect(status.state).toBe('CONTAINER_EXITED');
    expect(status.exitCode).toBe(0);
  });

  it('kills a container that ignores SIGTERM once the grace period is over (exit 137)', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, {
      command: ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'],
    });
    await h.waitForLog(id, (l) => l.some((x) => x.content === 'ready'));
    await h.runtime.stopContainer(id, 1);
    const status = await h.runtime.containerStatus(id);
    expect(status.state).toBe('CONTAINER_EXITED');
    expect(status.exitCode).toBe(137);
  });

  it('kills at once with a zero grace period (exit 137)', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = await h.start(sb, {
      command: ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'],
    });
    await h.waitForLog(id, (l) => l.some((x) => x.content === 'ready'));
    await h.runtime.stopContainer(id, 0);
    const status = await h.runtime.containerStatus(id);
    expect(status.state).toBe('CONTAINER_EXITED');
    expect(status.exitCode).toBe(137);
  });

  it('stopping an exited container resolves and keeps its exit code', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const id = (await h.runToExit(sb, { command: ['sh', '-c', 'exit 7'] })).id;
    await h.runtime.stopContainer(id, 1);
    const status = await h.runtime.containerStatus(id);
    expect(status.state).toBe('CONTAINER_EXITED');
    expect(status.exitCode).toBe(7);
  });

  it('enforces the memory limit: an allocation over it ends as OOMKilled', async () => {
    const h = harness();
    const sb = await h.sandbox();
    // busybox tail keeps its last lines in memory and /dev/zero has no newline: tail grows to 200 MiB.
    const status = await h.runToExit(sb, {
      command: ['sh', '-c', 'head -c 200m /dev/zero | tail'],
      memoryLimitBytes: 32 * 1024 * 1024,
    });
    expect(status.reason).toBe('OOMKilled');
    expect(status.exitCode).not.toBe(0);
  });

  it('lets a container within its memory limit finish normally', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const status = await h.runToExit(sb, {
      command: ['sh', '-c', 'head -c 1m /dev/zero | tail | wc -c'],
      memoryLimitBytes: 64 * 1024 * 1024,
    });
    expect(status.exitCode).toBe(0);
    expect(status.reason).toBe('Completed');
  });
}
