import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, resources, type corev1 } from '@tugboat/core';

import {
  buildKubeconfig,
  metricsResources,
  serveMetricsApi,
  type MetricsSource,
  type NodeUsage,
  type PodUsage,
} from '../src/index.js';
import { startSecuredServer, type SecuredServer } from './auth/securityHarness.js';

const { PodMetrics, NodeMetrics } = metricsResources;
const sampledAt = Date.parse('2026-11-27T08:00:00Z');

/** A metrics source whose figures the test sets. */
class FakeSource implements MetricsSource {
  nodeUsage: NodeUsage[] = [];
  podUsage: PodUsage[] = [];
  nodes(): Promise<readonly NodeUsage[]> {
    return Promise.resolve(this.nodeUsage);
  }
  pods(): Promise<readonly PodUsage[]> {
    return Promise.resolve(this.podUsage);
  }
}

function pod(name: string, labels: Record<string, string>, namespace = 'default'): corev1.Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      containers: [
        { name: 'app', image: 'busybox:1.35' },
        { name: 'side', image: 'busybox:1.35' },
      ],
    },
  };
}

function podUsage(name: string, cpuMilli: number, memMi: number, namespace = 'default'): PodUsage {
  return {
    namespace,
    name,
    timestampMs: sampledAt,
    windowMs: 15_000,
    containers: [
      { name: 'app', cpuNanoCores: cpuMilli * 1e6, memoryBytes: memMi * 1024 * 1024 },
      { name: 'side', cpuNanoCores: 12_345, memoryBytes: 1234 * 1024 },
    ],
  };
}

describe('metrics.k8s.io/v1beta1 served from a MetricsSource', () => {
  let s: SecuredServer;
  let home: string;
  let adminConfig: string;
  const source = new FakeSource();

  const kubectl = (
    config: string,
    ...args: string[]
  ): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        '/usr/bin/kubectl',
        ['--kubeconfig', config, ...args],
        {
          env: { PATH: process.env['PATH'] ?? '/usr/bin', HOME: home, KUBECACHEDIR: join(home, 'cache') },
          timeout: 20_000,
        },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
          resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
        },
      );
    });

  beforeAll(async () => {
    s = await startSecuredServer({ tokenCsv: 'jane-token,jane,42\n' });
    serveMetricsApi(s.registry, source);
    home = mkdtempSync(join(tmpdir(), 'tug-metrics-'));
    adminConfig = join(home, 'admin.kubeconfig');
    writeFileSync(
      adminConfig,
      buildKubeconfig({ server: s.server.url, caPem: s.pki.ca.certPem, credentials: s.pki.admin }),
    );
    const c = s.client;
    await c.create(resources.Namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'other' },
    });
    await c.create(resources.Pods, pod('web-1', { app: 'web', tier: 'front' }));
    await c.create(resources.Pods, pod('web-2', { app: 'web', tier: 'front' }));
    await c.create(resources.Pods, pod('db-1', { app: 'db' }));
    await c.create(resources.Pods, pod('quiet', { app: 'web' }));
    await c.create(resources.Pods, pod('web-1', { app: 'web' }, 'other'));
    for (const name of ['node-a', 'node-b']) {
      const node = await c.create(resources.Nodes, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { pool: name === 'node-a' ? 'blue' : 'green' } },
      });
      await c.updateStatus(resources.Nodes, {
        ...node,
        status: { allocatable: { cpu: '4', memory: '8Gi' }, capacity: { cpu: '4', memory: '8Gi' } },
      });
    }
    source.podUsage = [
      podUsage('web-1', 250, 64),
      podUsage('web-2', 750, 128),
      podUsage('db-1', 100, 512),
      podUsage('web-1', 5, 8, 'other'),
      // Usage of a pod that no longer exists is never served.
      podUsage('gone', 1, 1),
    ];
    source.nodeUsage = [
      {
        name: 'node-a',
        timestampMs: sampledAt,
        windowMs: 20_000,
        cpuNanoCores: 1.5e9,
        memoryBytes: 2 * 1024 ** 3,
      },
      {
        name: 'node-b',
        timestampMs: sampledAt,
        windowMs: 20_000,
        cpuNanoCores: 2.5e8,
        memoryBytes: 512 * 1024 ** 2,
      },
    ];
  });
  afterAll(async () => {
    await s.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('serves PodMetrics in the upstream shape, with the pod labels, only for pods with a sample', async () => {
    const list = await s.client.list(PodMetrics, { namespace: 'default' });
    expect(list.kind).toBe('PodMetricsList');
    expect(list.apiVersion).toBe('metrics.k8s.io/v1beta1');
    expect(list.items.map((m) => m.metadata.name).sort()).toEqual(['db-1', 'web-1', 'web-2']);
    const web1 = await s.client.get(PodMetrics, 'web-1', { namespace: 'default' });
    expect(web1).toMatchObject({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web', tier: 'front' } },
      timestamp: '2026-11-27T08:00:00Z',
      window: '15s',
      containers: [
        { name: 'app', usage: { cpu: '250m', memory: '64Mi' } },
        { name: 'side', usage: { cpu: '12345n', memory: '1234Ki' } },
      ],
    });
    expect(typeof web1.metadata.creationTimestamp).toBe('string');
  });

  it('lists across namespaces and selects by labels and by name', async () => {
    const all = await s.client.list(PodMetrics);
    expect(all.items.map((m) => `${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual([
      'default/db-1',
      'default/web-1',
      'default/web-2',
      'other/web-1',
    ]);
    const web = await s.client.list(PodMetrics, {
      namespace: 'default',
      labelSelector: 'app=web,tier=front',
    });
    expect(web.items.map((m) => m.metadata.name).sort()).toEqual(['web-1', 'web-2']);
    const byName = await s.client.list(PodMetrics, { fieldSelector: 'metadata.name=web-1' });
    expect(byName.items.map((m) => m.metadata.namespace).sort()).toEqual(['default', 'other']);
    const nodes = await s.client.list(NodeMetrics, { labelSelector: 'pool=green' });
    expect(nodes.items).toEqual([
      expect.objectContaining({
        kind: 'NodeMetrics',
        metadata: expect.objectContaining({ name: 'node-b', labels: { pool: 'green' } }),
        window: '20s',
        usage: { cpu: '250m', memory: '512Mi' },
      }),
    ]);
  });

  it('answers NotFound for a pod or node without a sample, and refuses bad selectors and writes', async () => {
    await expect(s.client.get(PodMetrics, 'quiet', { namespace: 'default' })).rejects.toMatchObject({
      code: 'NotFound',
      message: 'podmetrics.metrics.k8s.io "default/quiet" not found',
    });
    await expect(s.client.get(NodeMetrics, 'node-z')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(s.client.list(PodMetrics, { labelSelector: 'app in (' })).rejects.toMatchObject({
      code: 'BadRequest',
    });
    await expect(s.client.list(PodMetrics, { fieldSelector: 'spec.nodeName=x' })).rejects.toMatchObject({
      code: 'BadRequest',
    });
    const write = s.client.create(NodeMetrics, {
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'NodeMetrics',
      metadata: { name: 'node-a' },
      timestamp: '',
      window: '',
      usage: { cpu: '1', memory: '1' },
    });
    await expect(write).rejects.toBeInstanceOf(ApiError);
    await expect(write).rejects.toMatchObject({ code: 'MethodNotAllowed' });
    const del = await s.request('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1', {
      method: 'DELETE',
      cert: s.pki.admin,
    });
    expect(del.status).toBe(405);
    const watch = await s.request('/apis/metrics.k8s.io/v1beta1/nodes?watch=true', { cert: s.pki.admin });
    expect(watch.status).toBe(405);
    // Nothing was stored under the computed resource.
    expect((await s.client.list(PodMetrics, { namespace: 'default' })).items).toHaveLength(3);
  });

  it('is in legacy and aggregated discovery with verbs get and list', async () => {
    const group = await s.request('/apis/metrics.k8s.io', { cert: s.pki.admin });
    expect(group.body).toMatchObject({
      name: 'metrics.k8s.io',
      preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' },
    });
    const list = await s.request('/apis/metrics.k8s.io/v1beta1', { cert: s.pki.admin });
    expect(list.body).toMatchObject({
      kind: 'APIResourceList',
      groupVersion: 'metrics.k8s.io/v1beta1',
      resources: [
        { name: 'nodes', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'] },
        { name: 'pods', kind: 'PodMetrics', namespaced: true, verbs: ['get', 'list'] },
      ],
    });
    const aggregated = await s.request('/apis', {
      cert: s.pki.admin,
      headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' },
    });
    const items = (aggregated.body as { items: { metadata: { name: string }; versions: unknown[] }[] }).items;
    expect(items.find((g) => g.metadata.name === 'metrics.k8s.io')?.versions).toEqual([
      expect.objectContaining({
        version: 'v1beta1',
        resources: expect.arrayContaining([
          expect.objectContaining({ resource: 'pods', scope: 'Namespaced', verbs: ['get', 'list'] }),
        ]),
      }),
    ]);
  });

  it('makes the real kubectl top pods and top nodes work over HTTPS', async () => {
    const pods = await kubectl(adminConfig, 'top', 'pods', '-n', 'default');
    expect(pods.stderr).toBe('');
    expect(pods.code).toBe(0);
    const lines = pods.stdout.split('\n').map((l) => l.trim().split(/\s+/));
    expect(lines[0]).toEqual(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(lines.slice(1).sort()).toEqual([
      ['db-1', '101m', '513Mi'],
      ['web-1', '251m', '65Mi'],
      ['web-2', '751m', '129Mi'],
    ]);
    const selected = await kubectl(
      adminConfig,
      'top',
      'pods',
      '-l',
      'app=web',
      '--containers',
      '-n',
      'default',
    );
    expect(selected.code).toBe(0);
    expect(selected.stdout).toContain('web-2');
    expect(selected.stdout).toContain('side');
    expect(selected.stdout).not.toContain('db-1');
    const nodes = await kubectl(adminConfig, 'top', 'nodes');
    expect(nodes.code).toBe(0);
    const rows = nodes.stdout
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/));
    expect(rows.sort()).toEqual([
      ['node-a', '1500m', '37%', '2048Mi', '25%'],
      ['node-b', '250m', '6%', '512Mi', '6%'],
    ]);
  });

  it('lists PodMetrics with kubectl get as any other resource', async () => {
    const got = await kubectl(adminConfig, 'get', 'pods.metrics.k8s.io', '-n', 'default', '-o', 'name');
    expect(got.code).toBe(0);
    expect(got.stdout.split('\n').sort()).toEqual([
      'podmetrics.metrics.k8s.io/db-1',
      'podmetrics.metrics.k8s.io/web-1',
      'podmetrics.metrics.k8s.io/web-2',
    ]);
    const table = await kubectl(adminConfig, 'get', 'nodes.metrics.k8s.io');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('node-a');
  });

  it('goes through the authorizer like any resource request', async () => {
    const jane = join(home, 'jane.kubeconfig');
    writeFileSync(
      jane,
      buildKubeconfig({
        server: s.server.url,
        caPem: s.pki.ca.certPem,
        credentials: { token: 'jane-token' },
        user: 'jane',
      }),
    );
    const denied = await kubectl(jane, 'top', 'pods', '-n', 'default');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('cannot list resource "pods" in API group "metrics.k8s.io"');
    await s.client.create(resources.Roles, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'metrics-reader', namespace: 'default' },
      rules: [{ apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['get', 'list'] }],
    });
    await s.client.create(resources.RoleBindings, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'jane-metrics', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'metrics-reader' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
    });
    const deadline = Date.now() + 10_000;
    let allowed = await kubectl(jane, 'top', 'pods', '-n', 'default');
    while (allowed.code !== 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      allowed = await kubectl(jane, 'top', 'pods', '-n', 'default');
    }
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('web-1');
  });
});
