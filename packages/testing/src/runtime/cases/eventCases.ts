import { expect, it } from '@jest/globals';
import type { ContainerEvent, ContainerState, Runtime } from '@tugboat/core';

import type { RuntimeHarness } from '../RuntimeHarness.js';

/** Container events, concurrency, list filters and state after a client reconnect. */
export function eventCases(harness: () => RuntimeHarness): void {
  it('emits created, started, exited and deleted in order for a container', async () => {
    const h = harness();
    const seen: ContainerEvent[] = [];
    const sub = h.runtime.events.subscribe((e) => seen.push(e));
    try {
      const sb = await h.sandbox();
      const id = (await h.runToExit(sb, { command: ['sh', '-c', 'exit 3'] })).id;
      await h.runtime.removeContainer(id);
      const mine = (): ContainerEvent[] => seen.filter((e) => e.containerId === id);
      await h.waitFor('the deleted event', () => mine().some((e) => e.type === 'deleted'));
      expect(mine().map((e) => e.type)).toEqual(['created', 'started', 'exited', 'deleted']);
      expect(mine().every((e) => e.podSandboxId === sb.id)).toBe(true);
      const times = mine().map((e) => e.timestamp);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    } finally {
      sub.unsubscribe();
    }
  });

  it('creates and starts 20 containers concurrently', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.start(sb, { name: `par-${i}`, command: ['sh', '-c', `echo n${i}`] }),
      ),
    );
    expect(new Set(ids).size).toBe(20);
    const statuses = await Promise.all(ids.map((id) => h.waitForState(id, 'CONTAINER_EXITED')));
    expect(statuses.map((s) => s.exitCode)).toEqual(ids.map(() => 0));
    const names = (await h.runtime.listContainers({ podSandboxId: sb.id }))
      .map((c) => c.metadata.name)
      .sort();
    expect(names).toEqual(Array.from({ length: 20 }, (_, i) => `par-${i}`).sort());
    const logs = await Promise.all(ids.map((id) => h.waitForLog(id, (l) => l.length > 0)));
    expect(logs.map((l) => l[0]?.content)).toEqual(ids.map((_, i) => `n${i}`));
  });

  it('lists containers filtered by sandbox, state, labels and id', async () => {
    const h = harness();
    const a = await h.sandbox();
    const b = await h.sandbox();
    const running = await h.start(a, { command: ['sleep', '3600'], labels: { role: 'server', tier: 'x' } });
    const exited = await h.start(a, { command: ['true'], labels: { role: 'job', tier: 'x' } });
    const created = await h.create(b, { command: ['true'], labels: { role: 'server', tier: 'y' } });
    await h.waitForState(running, 'CONTAINER_RUNNING');
    await h.waitForState(exited, 'CONTAINER_EXITED');
    const ids = async (filter: Parameters<Runtime['listContainers']>[0]): Promise<string[]> =>
      (await h.runtime.listContainers(filter)).map((c) => c.id).sort();
    const state = async (s: ContainerState, sandbox: string): Promise<string[]> =>
      ids({ podSandboxId: sandbox, state: s });

    expect(await ids({ podSandboxId: a.id })).toEqual([running, exited].sort());
    expect(await ids({ podSandboxId: b.id })).toEqual([created]);
    expect(await state('CONTAINER_RUNNING', a.id)).toEqual([running]);
    expect(await state('CONTAINER_EXITED', a.id)).toEqual([exited]);
    expect(await state('CONTAINER_CREATED', b.id)).toEqual([created]);
    const servers = await ids({ labelSelector: { role: 'server' } });
    expect(servers).toEqual(expect.arrayContaining([running, created]));
    expect(servers).not.toContain(exited);
    expect(await ids({ labelSelector: { role: 'server', tier: 'y' } })).toEqual([created]);
    expect(await ids({ id: exited })).toEqual([exited]);
  });

  it('shows sandboxes and containers, with their states, to a client that reconnects', async () => {
    const h = harness();
    const sb = await h.sandbox({ labels: { kept: 'yes' } });
    const running = await h.start(sb, { command: ['sleep', '3600'], labels: { kept: 'running' } });
    const exited = (await h.runToExit(sb, { command: ['sh', '-c', 'exit 9'] })).id;
    await h.waitForState(running, 'CONTAINER_RUNNING');
    const other = h.setup.reconnect ? await h.setup.reconnect() : h.runtime;
    try {
      const sandbox = await other.podSandboxStatus(sb.id);
      expect(sandbox.state).toBe('SANDBOX_READY');
      expect(sandbox.labels).toMatchObject({ kept: 'yes' });
      expect((await other.containerStatus(running)).state).toBe('CONTAINER_RUNNING');
      expect((await other.containerStatus(running)).labels).toMatchObject({ kept: 'running' });
      const gone = await other.containerStatus(exited);
      expect(gone.state).toBe('CONTAINER_EXITED');
      expect(gone.exitCode).toBe(9);
      expect((await other.listContainers({ podSandboxId: sb.id })).map((c) => c.id).sort()).toEqual(
        [running, exited].sort(),
      );
      // The new client can act on what the old one made.
      await other.stopContainer(running, 1);
      expect((await h.runtime.containerStatus(running)).state).toBe('CONTAINER_EXITED');
    } finally {
      if (other !== h.runtime) await other.close();
    }
  });
}
