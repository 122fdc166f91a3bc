import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { resources } from '@tugboat/core';

import { shell, startPodHarness, statusOf, type PodHarness } from './podHarness.js';

describe('Kubelet: pods become Running', () => {
  let h: PodHarness;
  beforeEach(async () => {
    h = await startPodHarness();
    await h.kubelet.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('runs a pod bound to the node and reports Running with container statuses and conditions', async () => {
    await h.createPod('web', { containers: [shell('httpd', 'httpd -f -p 8080')] });
    const pod = await h.waitPod('web', (p) => p.status?.phase === 'Running', 'Running');
    const s = statusOf(pod, 'httpd');
    expect(s?.state?.running?.startedAt).toBeDefined();
    expect(s?.ready).toBe(true);
    expect(s?.restartCount).toBe(0);
    expect(s?.containerID).toMatch(/^fake:\/\//);
    expect(s?.imageID).toMatch(/^sha256:/);
    expect(pod.status?.podIP).toMatch(/^10\.88\./);
    expect(pod.status?.hostIP).toBe('127.0.0.1');
    expect(pod.status?.startTime).toBeDefined();
    expect(pod.status?.qosClass).toBe('BestEffort');
    const conditions = Object.fromEntries((pod.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conditions).toEqual({
      PodReadyToStartContainers: 'True',
      Initialized: 'True',
      Ready: 'True',
      ContainersReady: 'True',
      PodScheduled: 'True',
    });
    const involved = (await h.api.list(resources.Events, { namespace: 'default' })).items.map(
      (e) => e.involvedObject,
    );
    expect(involved[0]).toMatchObject({ apiVersion: 'v1', kind: 'Pod', name: 'web', uid: pod.metadata?.uid });
    const events = await h.events('web');
    expect(events).toEqual(
      expect.arrayContaining([
        'Pulled: Container image "busybox:1.36" already present on machine',
        'Created: Created container httpd',
        'Started: Started container httpd',
      ]),
    );
  });

  it('ignores pods bound to other nodes', async () => {
    await h.api.create((await import('@tugboat/core')).resources.Pods, {
      metadata: { name: 'elsewhere', namespace: 'default' },
      spec: { nodeName: 'node-2', containers: [shell('c', 'httpd')] },
    });
    await h.createPod('mine', { containers: [shell('c', 'httpd')] });
    await h.waitPod('mine', (p) => p.status?.phase === 'Running', 'Running');
    const other = await h.getPod('elsewhere');
    expect(other.status?.phase).toBe('Pending');
    expect(other.status?.containerStatuses).toBeUndefined();
  });

  it('runs init containers in order, each to completion, before the app containers', async () => {
    await h.createPod('init', {
      initContainers: [shell('first', 'echo one'), shell('second', 'echo two')],
      containers: [shell('app', 'httpd')],
    });
    const pod = await h.waitPod('init', (p) => p.status?.phase === 'Running', 'Running');
    const first = statusOf(pod, 'first')?.state?.terminated;
    const second = statusOf(pod, 'second')?.state?.terminated;
    expect(first?.reason).toBe('Completed');
    expect(second?.reason).toBe('Completed');
    expect(Date.parse(first?.finishedAt ?? '')).toBeLessThanOrEqual(Date.parse(second?.startedAt ?? ''));
    const created = [...h.node.containers.values()]
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((c) => c.config.metadata.name);
    expect(created).toEqual(['first', 'second', 'app']);
    const initialized = pod.status?.conditions?.find((c) => c.type === 'Initialized');
    expect(initialized?.status).toBe('True');
  });

  it('a failing init container is retried with backoff and holds back the app containers', async () => {
    h.behaviours.forContainer('flaky-init', (info) =>
      info.attempt >= 2 ? { steps: [{ exit: 0 }] } : { steps: [{ exit: 3 }] },
    );
    await h.createPod('init-retry', {
      initContainers: [{ name: 'flaky-init', image: 'busybox:1.36' }],
      containers: [shell('app', 'httpd')],
    });
    const pod = await h.waitPod(
      'init-retry',
      (p) => p.status?.phase === 'Running',
      'Running after init retries',
    );
    expect(statusOf(pod, 'flaky-init')?.restartCount).toBe(2);
    expect(statusOf(pod, 'app')?.restartCount).toBe(0);
    const byName = (n: string): number[] =>
      [...h.node.containers.values()].filter((c) => c.config.metadata.name === n).map((c) => c.createdAt);
    expect(Math.min(...byName('app'))).toBeGreaterThanOrEqual(Math.max(...byName('flaky-init')));
  });
});
