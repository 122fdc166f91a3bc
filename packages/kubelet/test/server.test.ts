import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { behaviours } from '@tugboat/runtime-fake';

import { get, startServerFixture, testPki, testPod, type ServerFixture } from './serverHarness.js';

describe('KubeletServer', () => {
  let f: ServerFixture;

  beforeAll(async () => {
    f = await startServerFixture();
  });
  afterAll(() => f.close());

  it('answers /healthz with ok', async () => {
    const res = await get(f, '/healthz');
    expect(res).toMatchObject({ status: 200, text: 'ok' });
  });

  it('refuses a client without a certificate at the TLS handshake', async () => {
    await expect(get(f, '/healthz', null)).rejects.toThrow();
  });

  it('refuses a client whose certificate is from another CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tug-other-ca-'));
    try {
      const other = await testPki(dir);
      await expect(get(f, '/healthz', other.client)).rejects.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers unknown paths with a NotFound Status', async () => {
    const res = await get(f, '/nothing/here');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });

  it('lists the pods it runs on /pods', async () => {
    await f.run(testPod('listed', ['app']), 'app', 'httpd');
    const res = await get(f, '/pods');
    expect(res.status).toBe(200);
    const list = JSON.parse(res.text) as { kind: string; items: { metadata: { name: string } }[] };
    expect(list.kind).toBe('PodList');
    expect(list.items.map((p) => p.metadata.name)).toContain('listed');
  });

  it('serves a stats summary with node figures and per pod and container cpu and memory', async () => {
    f.runtime.node.behaviours.forContainer(
      'busy',
      behaviours.runForever({
        stats: { cpuNanoCores: 250_000_000, memoryWorkingSetBytes: 64 * 1024 * 1024 },
      }),
    );
    const pod = testPod('stats', ['busy', 'idle']);
    await f.run(pod, 'busy', 'httpd');
    await f.run(pod, 'idle', 'httpd');
    const res = await get(f, '/stats/summary');
    expect(res.status).toBe(200);
    const summary = JSON.parse(res.text) as {
      node: Record<string, unknown> & { cpu: Record<string, unknown>; memory: Record<string, number> };
      pods: {
        podRef: Record<string, string>;
        containers: { name: string; cpu: Record<string, number>; memory: Record<string, number> }[];
        cpu: Record<string, number>;
        memory: Record<string, number>;
      }[];
    };
    expect(summary.node.nodeName).toBe('node-1');
    expect(summary.node.startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(summary.node.cpu.usageCoreNanoSeconds).toEqual(expect.any(Number));
    expect(summary.node.cpu.usageNanoCores).toEqual(expect.any(Number));
    expect(summary.node.memory.workingSetBytes).toBeGreaterThan(0);
    expect(summary.node.memory.availableBytes).toBeGreaterThan(0);
    const stats = summary.pods.find((p) => p.podRef['name'] === 'stats');
    expect(stats?.podRef).toEqual({ name: 'stats', namespace: 'default', uid: 'uid-stats' });
    const busy = stats?.containers.find((c) => c.name === 'busy');
    expect(busy?.cpu.usageNanoCores).toBe(250_000_000);
    expect(busy?.memory.workingSetBytes).toBe(64 * 1024 * 1024);
    const idle = stats?.containers.find((c) => c.name === 'idle');
    expect(idle?.cpu.usageNanoCores).toBe(1_000_000);
    expect(stats?.cpu.usageNanoCores).toBe(251_000_000);
    expect(stats?.memory.workingSetBytes).toBe(64 * 1024 * 1024 + (idle?.memory.workingSetBytes ?? 0));
  });
});
