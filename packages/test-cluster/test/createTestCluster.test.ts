import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, KubeConfig, V1ConfigMap, V1ObjectMeta } from '@kubernetes/client-node';
import { ApiError, resources, type appsv1 } from '@tugboat/core';
import { until } from '@tugboat/testing';
import { Container } from 'inversify';

import { TestClusterFactory, createTestCluster, testClusterModule, type TestCluster } from '../src/index.js';

const run = promisify(execFile);

function kubectl(cluster: TestCluster, ...args: string[]): Promise<string> {
  return run('kubectl', ['--kubeconfig', cluster.kubeconfigPath, ...args]).then((r) => r.stdout);
}

describe('createTestCluster', () => {
  const clusters: TestCluster[] = [];
  const track = (c: TestCluster): TestCluster => (clusters.push(c), c);
  afterAll(async () => {
    await Promise.all(clusters.map((c) => c.stop()));
  });

  it('starts a bare cluster whose kubeconfig kubectl uses, and reports how long it took', async () => {
    // The first cluster of a process pays for loading the code (and, once per machine, the PKI).
    let started = performance.now();
    const first = track(await createTestCluster());
    const times = [performance.now() - started];
    let cluster = first;
    for (let i = 0; i < 3; i++) {
      started = performance.now();
      cluster = track(await createTestCluster());
      times.push(performance.now() - started);
    }
    process.stdout.write(
      `createTestCluster ready in: first ${times[0]?.toFixed(0)} ms, then ${times
        .slice(1)
        .map((t) => t.toFixed(0))
        .join(', ')} ms\n`,
    );
    expect(cluster.url).not.toBe(first.url);
    expect(cluster.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(cluster.kubeconfigPath)).toBe(true);
    const namespaces = await kubectl(cluster, 'get', 'namespaces', '-o', 'name');
    expect(namespaces.split('\n')).toEqual(
      expect.arrayContaining(['namespace/default', 'namespace/kube-system']),
    );
    expect(await kubectl(cluster, 'get', 'service', 'kubernetes', '-o', 'name')).toBe('service/kubernetes\n');
  });

  it('runs simulated nodes that kubectl get nodes shows Ready', async () => {
    const cluster = track(await createTestCluster({ nodes: 2 }));
    expect(cluster.nodes.map((n) => n.name)).toEqual(['node-1', 'node-2']);
    const table = await until(async () => {
      const out = await kubectl(cluster, 'get', 'nodes');
      return /node-1\s+Ready/.test(out) && /node-2\s+Ready/.test(out) ? out : undefined;
    }, 'both nodes Ready');
    expect(table.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
  });

  it('serves @kubernetes/client-node from the kubeconfig string', async () => {
    const cluster = track(await createTestCluster());
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const body = Object.assign(new V1ConfigMap(), {
      metadata: Object.assign(new V1ObjectMeta(), { name: 'settings' }),
      data: { mode: 'test' },
    });
    await core.createNamespacedConfigMap({ namespace: 'default', body });
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(list.items.map((c) => c.metadata?.name)).toContain('settings');
    // The in-process client sees the same store.
    const read = await cluster.client.get(resources.ConfigMaps, 'settings', { namespace: 'default' });
    expect(read.data).toEqual({ mode: 'test' });
  });

  it('runs five clusters side by side, each with its own state', async () => {
    const five = await Promise.all(Array.from({ length: 5 }, () => createTestCluster()));
    five.forEach(track);
    expect(new Set(five.map((c) => c.url)).size).toBe(5);
    await Promise.all(
      five.map((c, i) =>
        c.client.create(resources.ConfigMaps, { metadata: { name: `only-${i}`, namespace: 'default' } }),
      ),
    );
    for (const [i, c] of five.entries()) {
      const names = (await c.client.list(resources.ConfigMaps, { namespace: 'default' })).items
        .map((m) => m.metadata?.name)
        .filter((n) => n?.startsWith('only-'));
      expect(names).toEqual([`only-${i}`]);
    }
    const out = await Promise.all(five.map((c) => kubectl(c, 'get', 'configmaps', '-o', 'name')));
    expect(out.map((text, i) => text.includes(`configmap/only-${i}`))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('with controllers, the scheduler and nodes, turns a Deployment into running pods', async () => {
    const cluster = track(await createTestCluster({ controllers: true, scheduler: true, nodes: 2 }));
    const deployment: appsv1.Deployment = {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 3600'] }] },
        },
      },
    };
    await cluster.client.create(resources.Deployments, deployment);
    const pods = await until(async () => {
      const list = await cluster.client.list(resources.Pods, {
        namespace: 'default',
        labelSelector: 'app=web',
      });
      const running = list.items.filter((p) => p.status?.phase === 'Running');
      return running.length === 3 ? running : undefined;
    }, 'three running pods');
    for (const pod of pods) expect(['node-1', 'node-2']).toContain(pod.spec?.nodeName);
    const ready = await until(async () => {
      const d = await cluster.client.get(resources.Deployments, 'web', { namespace: 'default' });
      return d.status?.readyReplicas === 3 ? d : undefined;
    }, 'deployment ready');
    expect(ready.status?.availableReplicas).toBe(3);
    // The simulated runtimes really hold the containers.
    const containers = (
      await Promise.all(cluster.nodes.map((n) => n.runtime.listContainers({ state: 'CONTAINER_RUNNING' })))
    ).flat();
    expect(containers.filter((c) => c.metadata.name === 'web')).toHaveLength(3);
  });

  it('refuses bad options before starting anything', async () => {
    const bad = [
      { nodes: -1 },
      { nodes: 1.5 },
      { controllers: ['replicaset', 'nope'] as never },
      { nodes: 1, runtime: 'fake' as never },
    ];
    for (const options of bad) {
      const err = await createTestCluster(options).catch((e: unknown) => e);
      expect(ApiError.is(err, 'BadRequest')).toBe(true);
    }
  });

  it('is available from an inversify container with defaults', async () => {
    const container = new Container();
    container.load(testClusterModule({ nodes: 1 }));
    const cluster = track(await container.get(TestClusterFactory)({ scheduler: true }));
    expect(cluster.nodes.map((n) => n.name)).toEqual(['node-1']);
    await cluster.client.create(resources.Pods, {
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '60'] }] },
    });
    const bound = await until(async () => {
      const p = await cluster.client.get(resources.Pods, 'p', { namespace: 'default' });
      return p.spec?.nodeName;
    }, 'the pod bound');
    expect(bound).toBe('node-1');
  });

  it('stop closes the port and removes the kubeconfig, and may be called twice', async () => {
    const cluster = await createTestCluster({ nodes: 1 });
    await cluster.stop();
    await cluster.stop();
    expect(existsSync(cluster.kubeconfigPath)).toBe(false);
    const refused = await new Promise<string>((resolve) => {
      const req = request(`${cluster.url}/healthz`, { rejectUnauthorized: false }, () => {
        resolve('answered');
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        resolve(e.code ?? 'error');
      });
      req.end();
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
