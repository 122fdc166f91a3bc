import { access } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { resources } from '@tugboat/core';
import { behaviours } from '@tugboat/runtime-fake';

import { shell, startPodHarness, statusOf, until, type PodHarness } from './podHarness.js';

describe('Kubelet: restart safety and a lost apiserver', () => {
  let h: PodHarness;
  beforeEach(async () => {
    h = await startPodHarness();
    await h.kubelet.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('a restarted kubelet adopts running containers and removes those of pods deleted meanwhile', async () => {
    h.behaviours.forContainer('flaky', behaviours.crashLoop({ healthyFromAttempt: 1 }));
    await h.createPod('keep', {
      containers: [shell('c', 'httpd'), { name: 'flaky', image: 'busybox:1.36' }],
    });
    await h.createPod('drop', { containers: [shell('c', 'httpd')] });
    const keep = await h.waitPod(
      'keep',
      (p) =>
        p.status?.phase === 'Running' &&
        statusOf(p, 'flaky')?.restartCount === 1 &&
        statusOf(p, 'flaky')?.state?.running !== undefined,
      'Running with flaky restarted',
    );
    const drop = await h.waitPod('drop', (p) => p.status?.phase === 'Running', 'Running');
    expect(statusOf(keep, 'flaky')?.lastState?.terminated?.reason).toBe('Error');
    const before = new Map(
      [...h.node.containers.values()]
        .filter((c) => c.podName === 'keep' && c.state === 'CONTAINER_RUNNING')
        .map((c) => [c.id, c.startedAt]),
    );

    await h.kubelet.stop();
    await h.api.delete(resources.Pods, 'drop', { namespace: 'default', gracePeriodSeconds: 0 });
    // Containers keep running while the kubelet is away.
    expect([...h.node.containers.values()].filter((c) => c.state === 'CONTAINER_RUNNING')).toHaveLength(3);

    await h.restartKubelet();
    await until(
      () => ([...h.node.containers.values()].every((c) => c.podName === 'keep') ? true : undefined),
      'containers of the deleted pod removed',
    );
    await expect(access(join(h.rootDir, 'pods', drop.metadata?.uid ?? ''))).rejects.toThrow();
    // A status change proves the new kubelet synced the adopted pod.
    await h.api.patch(
      resources.Pods,
      'keep',
      'merge',
      { metadata: { labels: { after: 'restart' } } },
      { namespace: 'default' },
    );
    const adopted = await h.waitPod('keep', (p) => p.status?.phase === 'Running', 'Running');
    const after = new Map(
      [...h.node.containers.values()]
        .filter((c) => c.podName === 'keep' && c.state === 'CONTAINER_RUNNING')
        .map((c) => [c.id, c.startedAt]),
    );
    expect(after).toEqual(before);
    expect(statusOf(adopted, 'flaky')?.restartCount).toBe(1);
    expect(statusOf(adopted, 'c')?.restartCount).toBe(0);
  });

  it('keeps running containers and restarts crashed ones while the apiserver is unreachable, then reports', async () => {
    await h.createPod('steady', { containers: [shell('c', 'httpd')] });
    await h.createPod('victim', { containers: [shell('c', 'httpd')] });
    await h.waitPod('steady', (p) => p.status?.phase === 'Running', 'Running');
    await h.waitPod('victim', (p) => p.status?.phase === 'Running', 'Running');
    const running = (pod: string): string[] =>
      [...h.node.containers.values()]
        .filter((c) => c.podName === pod && c.state === 'CONTAINER_RUNNING')
        .map((c) => c.id);
    const steadyId = running('steady');
    const [victimId] = running('victim');

    h.link.down = true;
    // The container dies while the apiserver is away (killed from outside).
    const outside = h.runtime.reconnect();
    await outside.stopContainer(victimId ?? '', 0);
    await until(
      () => (running('victim').length === 1 && running('victim')[0] !== victimId ? true : undefined),
      'victim restarted',
    );
    expect(running('steady')).toEqual(steadyId);
    h.link.down = false;

    const pod = await h.waitPod(
      'victim',
      (p) => statusOf(p, 'c')?.restartCount === 1,
      'restart reported',
      20_000,
    );
    expect(statusOf(pod, 'c')?.lastState?.terminated).toMatchObject({ exitCode: 137 });
    expect(running('steady')).toEqual(steadyId);
  });
});
