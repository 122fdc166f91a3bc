import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { realClock, resources, silentLogger, type Clock, type corev1 } from '@tugboat/core';
import { MemoryStore } from '@tugboat/store-memory';

import {
  ClusterPki,
  InProcessApiClient,
  KubeletSummarySource,
  metricsResources,
  Registry,
  ResourceRegistry,
  serveMetricsApi,
} from '../src/index.js';

/** The wall clock's timers with a `now` the test moves, to step through resolution periods. */
function steppedClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    setTimeout: (fn, ms) => realClock.setTimeout(fn, ms),
    clearTimeout: (handle) => {
      realClock.clearTimeout(handle);
    },
    advance: (ms) => {
      offset += ms;
    },
  };
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A kubelet stand-in serving `/stats/summary` over mutual TLS, counting requests. */
async function startSummaryKubelet(
  pki: ClusterPki,
  body: () => string,
): Promise<{ server: Server; port: number; hits: { count: number; clientCn: string } }> {
  const hits = { count: 0, clientCn: '' };
  const server = createServer({
    cert: pki.serving.certPem,
    key: pki.serving.keyPem,
    ca: pki.ca.certPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.on('request', (req, res) => {
    hits.count += 1;
    const peer = (
      req.socket as unknown as { getPeerCertificate: () => { subject?: { CN?: string } } }
    ).getPeerCertificate();
    hits.clientCn = peer.subject?.CN ?? '';
    if (req.url !== '/stats/summary') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

describe('KubeletSummarySource', () => {
  let dir: string;
  let store: MemoryStore;
  let client: InProcessApiClient;
  let registry: Registry;
  let live: Awaited<ReturnType<typeof startSummaryKubelet>>;
  let broken: Awaited<ReturnType<typeof startSummaryKubelet>>;
  let silent: NetServer;
  const held: Socket[] = [];
  let source: KubeletSummarySource;
  const clock = steppedClock();
  let cumulativeAt = 0;

  const summary = (): string => {
    // The kubelet gives a rate for the node, only a counter for the container (one sample so far).
    // The kubelet's own sample times: one sample every 15 s from a fixed start.
    cumulativeAt += 1;
    const now = Date.parse('2026-11-27T08:00:00Z') + cumulativeAt * 15_000;
    return JSON.stringify({
      node: {
        nodeName: 'node-live',
        startTime: iso(now - 3_600_000),
        cpu: { time: iso(now), usageNanoCores: 750_000_000, usageCoreNanoSeconds: 1e12 },
        memory: { time: iso(now), workingSetBytes: 3 * 1024 ** 3 },
      },
      pods: [
        {
          podRef: { name: 'web', namespace: 'default', uid: 'u1' },
          containers: [
            {
              name: 'app',
              cpu: { time: iso(now), usageCoreNanoSeconds: cumulativeAt * 3e9 },
              memory: { time: iso(now), workingSetBytes: 50 * 1024 * 1024 },
            },
          ],
        },
      ],
    });
  };

  async function addNode(name: string, port: number | undefined): Promise<void> {
    const node = await client.create(resources.Nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name } });
    await client.updateStatus(resources.Nodes, {
      ...node,
      status:
        port === undefined
          ? {}
          : {
              addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
              daemonEndpoints: { kubeletEndpoint: { Port: port } },
            },
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tug-scraper-'));
    const pki = await ClusterPki.loadOrCreate({ dir });
    const kubeletClient = await pki.issueClientCertificate('kube-apiserver-kubelet-client', [
      'system:masters',
    ]);
    live = await startSummaryKubelet(pki, summary);
    broken = await startSummaryKubelet(pki, () => '{"pods": "not a list"');
    // A dead node: accepts the connection, then never says a word (not even the TLS handshake).
    silent = createNetServer((socket) => {
      held.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    store = new MemoryStore();
    registry = new Registry(store, new ResourceRegistry(), silentLogger);
    client = new InProcessApiClient(registry);
    await addNode('node-live', live.port);
    await addNode('node-broken', broken.port);
    await addNode('node-dead', (silent.address() as AddressInfo).port);
    await addNode('node-unaddressed', undefined);
    await client.create(resources.Pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: { nodeName: 'node-live', containers: [{ name: 'app', image: 'busybox:1.35' }] },
    } satisfies corev1.Pod);
    source = new KubeletSummarySource({
      client,
      clientCertPem: kubeletClient.certPem,
      clientKeyPem: kubeletClient.keyPem,
      kubeletCaPem: pki.ca.certPem,
      nodeTimeoutMs: 500,
      resolutionMs: 15_000,
      clock,
    });
    serveMetricsApi(registry, source);
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => silent.close(r));
    await new Promise((r) => live.server.close(r));
    await new Promise((r) => broken.server.close(r));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the live kubelet with the client certificate and leaves dead, broken and unaddressed nodes out', async () => {
    const nodes = await source.nodes();
    expect(nodes.map((n) => n.name)).toEqual(['node-live']);
    expect(nodes[0]).toMatchObject({
      cpuNanoCores: 750_000_000,
      memoryBytes: 3 * 1024 ** 3,
      windowMs: 15_000,
    });
    expect(live.hits.clientCn).toBe('kube-apiserver-kubelet-client');
    expect(broken.hits.count).toBe(1);
    // A container with only a CPU counter has no rate yet: no pod metrics after one scrape.
    expect(await source.pods()).toEqual([]);
  });

  it('reuses one scrape for the resolution period, then turns CPU counters into rates', async () => {
    const before = live.hits.count;
    await source.nodes();
    await source.pods();
    expect(live.hits.count).toBe(before);
    clock.advance(15_000);
    const pods = await source.pods();
    expect(live.hits.count).toBe(before + 1);
    expect(pods).toHaveLength(1);
    const [web] = pods;
    // 3 core-seconds more over the 15 s between the two samples: 200 millicores.
    expect(web?.containers).toEqual([
      { name: 'app', cpuNanoCores: 200_000_000, memoryBytes: 50 * 1024 * 1024 },
    ]);
    expect(web?.windowMs).toBe(15_000);
  });

  it('feeds the metrics API so a list names the scraped pod and node', async () => {
    const podMetrics = await client.list(metricsResources.PodMetrics, { namespace: 'default' });
    expect(podMetrics.items).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ name: 'web', labels: { app: 'web' } }),
        window: '15s',
        containers: [{ name: 'app', usage: { cpu: '200m', memory: '50Mi' } }],
      }),
    ]);
    const nodeMetrics = await client.list(metricsResources.NodeMetrics);
    expect(nodeMetrics.items.map((m) => m.metadata.name)).toEqual(['node-live']);
  });
});
