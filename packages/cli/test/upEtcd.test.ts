import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resources, silentLogger } from '@tugboat/core';
import { startEtcd, until, type EtcdHandle } from '@tugboat/testing';

import { startCluster, type Cluster } from '../src/index.js';
import { parseUp } from '../src/upFlags.js';

/** `tug up --store etcd://…`: the cluster's state lives in etcd, not in the data directory. */
describe('tug up on etcd', () => {
  let etcd: EtcdHandle | undefined;
  const dirs: string[] = [];
  const clusters: Cluster[] = [];

  beforeAll(async () => {
    etcd = await startEtcd({ mode: 'process' });
  }, 60_000);
  afterAll(async () => {
    for (const c of clusters.splice(0)) await c.stop().catch(() => undefined);
    await etcd?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const up = async (): Promise<Cluster> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tug-up-etcd-'));
    dirs.push(dataDir);
    const lines: string[] = [];
    const cluster = await startCluster({
      store: `etcd://${etcd?.endpoints ?? ''}`,
      runtime: 'fake',
      port: 0,
      kubeletPort: 0,
      dnsPort: 0,
      dataDir,
      nodeName: 'etcd-node',
      logger: silentLogger,
      progress: (line) => lines.push(line),
    });
    clusters.push(cluster);
    expect(lines).toContain(`store: etcd at etcd://${etcd?.endpoints ?? ''}`);
    return cluster;
  };

  it('keeps objects in etcd across a restart with a new data directory', async () => {
    const first = await up();
    const api = first.plane.client;
    await api.create(resources.ConfigMaps, {
      metadata: { name: 'kept', namespace: 'default' },
      data: { where: 'etcd' },
    });
    await until(
      async () => {
        const node = await api.get(resources.Nodes, 'etcd-node').catch(() => undefined);
        return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
          ? node
          : undefined;
      },
      'the node Ready',
      60_000,
    );
    await first.stop();
    clusters.splice(clusters.indexOf(first), 1);

    const second = await up();
    const kept = await second.plane.client.get(resources.ConfigMaps, 'kept', { namespace: 'default' });
    expect(kept.data).toEqual({ where: 'etcd' });
  }, 120_000);

  it('names an etcd it cannot reach', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tug-up-etcd-'));
    dirs.push(dataDir);
    await expect(
      startCluster({
        store: 'etcd://127.0.0.1:1',
        runtime: 'fake',
        port: 0,
        kubeletPort: 0,
        dnsPort: 0,
        dataDir,
        nodeName: 'etcd-node',
        logger: silentLogger,
      }),
    ).rejects.toThrow(/cannot reach etcd: etcd:\/\/127\.0\.0\.1:1: connection refused/);
  }, 30_000);

  it('refuses a bad --store before anything starts', () => {
    expect(parseUp(['--store', 'http://127.0.0.1:2379'])).toMatch(/^--store: not an etcd URL/);
    expect(parseUp(['--store', 'etcd://127.0.0.1:2379'])).toMatchObject({ store: 'etcd://127.0.0.1:2379' });
  });
});
