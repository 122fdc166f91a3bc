import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resources, type ApiClient, type corev1 } from '@tugboat/core';

import { exampleNode, startCluster } from './scheduler-plugin.js';

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const webPod = (name: string): corev1.Pod => ({
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
});

describe('examples/scheduler-plugin', () => {
  let cluster: { api: ApiClient; stop: () => Promise<void> };
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('keeps pods off nodes in maintenance and prefers the fast tier', async () => {
    const { api } = cluster;
    await api.create(
      resources.Nodes,
      exampleNode('a', {
        annotations: { 'example.com/maintenance': 'true' },
        labels: { 'example.com/tier': 'fast' },
      }),
    );
    await api.create(resources.Nodes, exampleNode('b'));
    await api.create(resources.Nodes, exampleNode('c', { labels: { 'example.com/tier': 'fast' } }));
    for (const name of ['w1', 'w2', 'w3']) {
      await api.create(resources.Pods, webPod(name));
      const node = await until(
        async () =>
          (await api.get(resources.Pods, name, { namespace: 'default' })).spec?.nodeName || undefined,
      );
      expect(node).toBe('c');
    }
  });

  it('explains when only nodes in maintenance are left', async () => {
    const { api } = cluster;
    await api.patch(resources.Nodes, 'b', 'merge', {
      metadata: { annotations: { 'example.com/maintenance': 'true' } },
    });
    await api.patch(resources.Nodes, 'c', 'merge', {
      metadata: { annotations: { 'example.com/maintenance': 'true' } },
    });
    await api.create(resources.Pods, webPod('late'));
    const cond = await until(async () =>
      (await api.get(resources.Pods, 'late', { namespace: 'default' })).status?.conditions?.find(
        (c) => c.type === 'PodScheduled',
      ),
    );
    expect(cond.message).toBe(
      '0/3 nodes are available: 3 node(s) were in maintenance. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });
});
