import { expect, it } from '@jest/globals';

import type { RuntimeHarness } from '../RuntimeHarness.js';

/** Sandbox lifecycle, sandbox list filters and unknown sandbox ids. */
export function sandboxCases(harness: () => RuntimeHarness): void {
  it('reports a runtime name and version', async () => {
    const v = await harness().runtime.version();
    expect(v.runtimeName).not.toBe('');
    expect(v.runtimeVersion).not.toBe('');
  });

  it('runs a sandbox that is ready and keeps its metadata, labels and annotations', async () => {
    const h = harness();
    const sb = await h.sandbox({ labels: { app: 'web' }, annotations: { note: 'hello world' } });
    const status = await h.runtime.podSandboxStatus(sb.id);
    expect(status.id).toBe(sb.id);
    expect(status.state).toBe('SANDBOX_READY');
    expect(status.metadata).toEqual(sb.config.metadata);
    expect(status.labels).toMatchObject({ app: 'web' });
    expect(status.annotations).toMatchObject({ note: 'hello world' });
    expect(status.createdAt).toBeGreaterThan(0);
  });

  it('lists sandboxes filtered by id, state and labels', async () => {
    const h = harness();
    const a = await h.sandbox({ labels: { tier: 'a' } });
    const b = await h.sandbox({ labels: { tier: 'b' } });
    await h.runtime.stopPodSandbox(b.id);
    const ids = async (filter: Parameters<typeof h.runtime.listPodSandboxes>[0]): Promise<string[]> =>
      (await h.runtime.listPodSandboxes(filter)).map((s) => s.id);

    expect(await ids({ id: a.id })).toEqual([a.id]);
    const ready = await ids({ state: 'SANDBOX_READY' });
    expect(ready).toContain(a.id);
    expect(ready).not.toContain(b.id);
    expect(await ids({ state: 'SANDBOX_NOTREADY' })).toContain(b.id);
    expect(await ids({ labelSelector: { tier: 'b' } })).toEqual([b.id]);
    expect(await ids({ labelSelector: { tier: 'b', 'tugboat.io/conformance': 'no-such-run' } })).toEqual([]);
    const all = await ids(undefined);
    expect(all).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('stops a sandbox: it becomes not ready and its running containers exit', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const c = await h.start(sb, { command: ['sleep', '3600'] });
    await h.waitForState(c, 'CONTAINER_RUNNING');
    await h.runtime.stopPodSandbox(sb.id);
    expect((await h.runtime.podSandboxStatus(sb.id)).state).toBe('SANDBOX_NOTREADY');
    expect((await h.runtime.containerStatus(c)).state).toBe('CONTAINER_EXITED');
    await h.runtime.stopPodSandbox(sb.id); // stopping again is fine
  });

  it('removes a sandbox with its containers, idempotently', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const c = await h.start(sb, { command: ['sleep', '3600'] });
    await h.waitForState(c, 'CONTAINER_RUNNING');
    await h.runtime.removePodSandbox(sb.id);
    expect((await h.errorOf(h.runtime.podSandboxStatus(sb.id))).code).toBe('NotFound');
    expect((await h.errorOf(h.runtime.containerStatus(c))).code).toBe('NotFound');
    expect((await h.runtime.listPodSandboxes({ id: sb.id })).length).toBe(0);
    expect((await h.runtime.listContainers({ podSandboxId: sb.id })).length).toBe(0);
    await h.runtime.removePodSandbox(sb.id);
  });

  it('answers NotFound for an unknown sandbox id', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const unknown = 'f'.repeat(64);
    expect((await h.errorOf(h.runtime.podSandboxStatus(unknown))).code).toBe('NotFound');
    expect((await h.errorOf(h.runtime.stopPodSandbox(unknown))).code).toBe('NotFound');
    const config = h.containerConfig({ command: ['true'] });
    expect((await h.errorOf(h.runtime.createContainer(unknown, config, sb.config))).code).toBe('NotFound');
  });
}
