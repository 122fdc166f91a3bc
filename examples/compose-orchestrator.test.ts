import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resources } from '@tugboat/core';

import { startOrchestrator, type Orchestrator } from './compose-orchestrator.js';

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not met before the deadline`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('examples/compose-orchestrator', () => {
  let o: Orchestrator;
  beforeAll(async () => {
    o = await startOrchestrator();
  });
  afterAll(() => o.stop());

  it('registers its node', async () => {
    const node = await until(
      () => o.api.get(resources.Nodes, 'worker-1').catch(() => undefined),
      'the node registered',
    );
    expect(node.status?.capacity?.cpu).toBe('8');
  });

  it('turns a Deployment into running pods on that node, visible over HTTP', async () => {
    await o.api.create(resources.Deployments, {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'busybox', command: ['httpd', '-f'] }] },
        },
      },
    });
    await until(async () => {
      const pods = await o.api.list(resources.Pods, { namespace: 'default', labelSelector: 'app=web' });
      const running = pods.items.filter(
        (p) => p.status?.phase === 'Running' && p.spec?.nodeName === 'worker-1',
      );
      return running.length === 2 ? running : undefined;
    }, 'two running pods');
    const res = await fetch(`${o.server.url}/api/v1/namespaces/default/pods?labelSelector=app%3Dweb`);
    const body = (await res.json()) as { kind: string; items: unknown[] };
    expect(body.kind).toBe('PodList');
    expect(body.items).toHaveLength(2);
  });
});
