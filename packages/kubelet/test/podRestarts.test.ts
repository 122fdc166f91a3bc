import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { resources } from '@tugboat/core';

import { shell, startPodHarness, statusOf, until, type PodHarness } from './podHarness.js';

describe('Kubelet: liveness and spec changes restart containers', () => {
  let h: PodHarness;
  beforeEach(async () => {
    h = await startPodHarness();
    await h.kubelet.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  const runningId = (pod: string): string | undefined =>
    [...h.node.containers.values()].find((c) => c.podName === pod && c.state === 'CONTAINER_RUNNING')?.id;
  const touch = (name: string, value: string): Promise<unknown> =>
    h.api.patch(
      resources.Pods,
      name,
      'merge',
      { metadata: { labels: { touch: value } } },
      { namespace: 'default' },
    );

  it('a failed liveness probe kills the container and restarts it under the restart policy', async () => {
    await h.createPod('live', { containers: [shell('c', 'httpd')] });
    await h.waitPod('live', (p) => p.status?.phase === 'Running', 'Running');
    const first = runningId('live') ?? '';
    h.prober.failLiveness.set(first, 'Container c failed liveness probe, will be restarted');
    await touch('live', '1');
    const pod = await h.waitPod(
      'live',
      (p) => statusOf(p, 'c')?.restartCount === 1 && statusOf(p, 'c')?.state?.running !== undefined,
      'restarted',
    );
    expect(runningId('live')).not.toBe(first);
    expect(statusOf(pod, 'c')?.lastState?.terminated?.containerID).toBe(`fake://${first}`);
    expect(await h.events('live')).toContain('Killing: Container c failed liveness probe, will be restarted');
  });

  it('with restartPolicy Never a container failing liveness stays terminated', async () => {
    await h.createPod('live-never', { restartPolicy: 'Never', containers: [shell('c', 'httpd')] });
    await h.waitPod('live-never', (p) => p.status?.phase === 'Running', 'Running');
    h.prober.failLiveness.set(
      runningId('live-never') ?? '',
      'Container c failed liveness probe, will be restarted',
    );
    await touch('live-never', '1');
    const pod = await h.waitPod('live-never', (p) => p.status?.phase === 'Failed', 'Failed');
    expect(statusOf(pod, 'c')?.state?.terminated?.exitCode).toBe(143);
    expect(statusOf(pod, 'c')?.restartCount).toBe(0);
  });

  it('a container whose image is updated in place is killed and recreated', async () => {
    await h.createPod('upd', { containers: [shell('c', 'httpd')] });
    await h.waitPod('upd', (p) => p.status?.phase === 'Running', 'Running');
    const first = runningId('upd');
    const pod = await h.getPod('upd');
    const spec = pod.spec;
    if (!spec?.containers[0]) throw new Error('no spec');
    spec.containers[0].image = 'nginx:1.25';
    await h.api.update(resources.Pods, pod);
    const updated = await h.waitPod(
      'upd',
      (p) =>
        statusOf(p, 'c')?.image === 'nginx:1.25' &&
        statusOf(p, 'c')?.state?.running !== undefined &&
        statusOf(p, 'c')?.restartCount === 1,
      'recreated with the new image',
    );
    expect(runningId('upd')).not.toBe(first);
    expect(statusOf(updated, 'c')?.imageID).toMatch(/^sha256:/);
    expect(await h.events('upd')).toContain('Killing: Container c definition changed, will be restarted');
    // Nothing else restarts it afterwards: the new instance carries the new spec hash.
    await touch('upd', '2');
    await until(
      async () => ((await h.getPod('upd')).metadata?.labels?.['touch'] === '2' ? true : undefined),
      'label',
    );
    expect((await h.getPod('upd')).status?.containerStatuses?.[0]?.restartCount).toBe(1);
  });

  it('a sandbox that stops is recreated with the next attempt and every container restarts', async () => {
    await h.createPod('sb', {
      initContainers: [shell('init', 'echo ok')],
      containers: [shell('c', 'httpd')],
    });
    await h.waitPod('sb', (p) => p.status?.phase === 'Running', 'Running');
    const [first] = [...h.node.sandboxes.values()];
    await h.runtime.reconnect().stopPodSandbox(first?.id ?? '');
    const pod = await h.waitPod(
      'sb',
      (p) => statusOf(p, 'c')?.restartCount === 1 && statusOf(p, 'c')?.state?.running !== undefined,
      'restarted in a new sandbox',
    );
    const ready = [...h.node.sandboxes.values()].filter((s) => s.state === 'SANDBOX_READY');
    expect(ready.map((s) => s.config.metadata.attempt)).toEqual([1]);
    expect(statusOf(pod, 'init')?.restartCount).toBe(1);
    expect(await h.events('sb')).toContain(
      'SandboxChanged: Pod sandbox changed, it will be killed and re-created.',
    );
  });
});
