import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { controllerOf, resources, type appsv1, type corev1 } from '@tugboat/core';

import { until } from '@tugboat/testing';
import { startKubectlCluster, type KubectlCluster } from './kubectlCluster.js';

const { Deployments, ReplicaSets, Pods, ConfigMaps, Services, Namespaces } = resources;
const ns = 'rollout';

function webDeployment(namespace: string, replicas: number, image: string): appsv1.Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace, annotations: { 'kubernetes.io/change-cause': 'first release' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'main', image, command: ['sleep', '3600'] }] },
      },
    },
  };
}

const imageOf = (x: { spec?: { template?: corev1.PodTemplateSpec } }): string | undefined =>
  x.spec?.template?.spec?.containers[0]?.image;

jest.setTimeout(120_000);

describe('kubectl rollout, scale and delete against the in-process cluster', () => {
  let k: KubectlCluster;

  /** The live (not terminating) pods of the Deployment, per the API. */
  async function livePods(namespace = ns): Promise<corev1.Pod[]> {
    const list = await k.api.list(Pods, { namespace, labelSelector: 'app=web' });
    return list.items.filter((p) => !p.metadata?.deletionTimestamp);
  }

  async function replicaSets(namespace = ns): Promise<appsv1.ReplicaSet[]> {
    const d = await k.api.get(Deployments, 'web', { namespace });
    const list = await k.api.list(ReplicaSets, { namespace });
    return list.items.filter((rs) => controllerOf(rs)?.uid === d.metadata?.uid);
  }

  /** Waits until exactly `n` pods exist, all Running with `image`. */
  async function podsSettled(n: number, image: string): Promise<corev1.Pod[]> {
    return until(
      async () => {
        const all = (await k.api.list(Pods, { namespace: ns, labelSelector: 'app=web' })).items;
        const ok =
          all.length === n &&
          all.every((p) => p.status?.phase === 'Running' && p.spec?.containers[0]?.image === image);
        return ok ? all : undefined;
      },
      `${n} pods running ${image}`,
      60_000,
    );
  }

  beforeAll(async () => {
    k = await startKubectlCluster();
    await k.ok('create', 'namespace', ns);
  }, 120_000);
  afterAll(async () => {
    await k.stop();
  }, 60_000);

  it('applies a Deployment and `rollout status` reports it rolled out', async () => {
    await k.apply(webDeployment(ns, 3, 'busybox:1.36'));
    const out = await k.ok('-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(out).toContain('deployment "web" successfully rolled out');
    const pods = await podsSettled(3, 'busybox:1.36');
    expect(pods.every((p) => p.spec?.nodeName === k.cluster.kubelet.options.nodeName)).toBe(true);
    const rss = await replicaSets();
    expect(rss).toHaveLength(1);
    expect(rss[0]?.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
  });

  it('`set image` rolls every pod to the new image, and `rollout history` lists both revisions', async () => {
    await k.ok('-n', ns, 'set', 'image', 'deployment/web', 'main=busybox:1.37');
    await k.ok(
      '-n',
      ns,
      'annotate',
      '--overwrite',
      'deployment/web',
      'kubernetes.io/change-cause=image 1.37',
    );
    const out = await k.ok('-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(out).toContain('successfully rolled out');
    await podsSettled(3, 'busybox:1.37');
    const rss = await replicaSets();
    expect(rss).toHaveLength(2);
    expect(rss.find((rs) => imageOf(rs) === 'busybox:1.36')?.spec?.replicas).toBe(0);

    const history = await k.ok('-n', ns, 'rollout', 'history', 'deployment/web');
    expect(history).toMatch(/^1\s+first release$/m);
    expect(history).toMatch(/^2\s+image 1\.37$/m);
    const second = await k.ok('-n', ns, 'rollout', 'history', 'deployment/web', '--revision=2');
    expect(second).toContain('busybox:1.37');
  });

  it('`rollout undo` returns to the previous template as a new revision', async () => {
    await k.ok('-n', ns, 'rollout', 'undo', 'deployment/web');
    await k.ok('-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s');
    await podsSettled(3, 'busybox:1.36');
    const d = await k.api.get(Deployments, 'web', { namespace: ns });
    expect(imageOf(d)).toBe('busybox:1.36');
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    // The old ReplicaSet is reused: revision 1 became 3.
    expect(await replicaSets()).toHaveLength(2);
    const history = await k.ok('-n', ns, 'rollout', 'history', 'deployment/web');
    expect(history).toMatch(/^2\s+image 1\.37$/m);
    expect(history).toMatch(/^3\s/m);
    expect(history).not.toMatch(/^1\s/m);
    await k.ok('-n', ns, 'rollout', 'undo', 'deployment/web', '--to-revision=2');
    await k.ok('-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s');
    await podsSettled(3, 'busybox:1.37');
  });

  it('`rollout pause` holds a template change back until `rollout resume`', async () => {
    await k.ok('-n', ns, 'rollout', 'pause', 'deployment/web');
    await k.ok('-n', ns, 'set', 'image', 'deployment/web', 'main=busybox:1.38');
    const paused = await k.api.get(Deployments, 'web', { namespace: ns });
    await until(
      async () => {
        const d = await k.api.get(Deployments, 'web', { namespace: ns });
        return (d.status?.observedGeneration ?? 0) >= (paused.metadata?.generation ?? 0) ? d : undefined;
      },
      'paused generation observed',
      30_000,
    );
    expect((await replicaSets()).some((rs) => imageOf(rs) === 'busybox:1.38')).toBe(false);
    expect((await livePods()).every((p) => p.spec?.containers[0]?.image === 'busybox:1.37')).toBe(true);
    const status = await k.kubectl('-n', ns, 'rollout', 'status', 'deployment/web', '--watch=false');
    expect(status.stdout).toContain('0 out of 3 new replicas have been updated');

    await k.ok('-n', ns, 'rollout', 'resume', 'deployment/web');
    await k.ok('-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s');
    await podsSettled(3, 'busybox:1.38');
  });

  it('`rollout restart` replaces every pod with the same image', async () => {
    const before = new Set((await livePods()).map((p) => p.metadata?.uid));
    await k.ok('-n', ns, 'rollout', 'restart', 'deployment/web');
    const d = await k.api.get(Deployments, 'web', { namespace: ns });
    expect(d.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    await k.ok('-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s');
    const after = await until(
      async () => {
        const pods = await podsSettled(3, 'busybox:1.38');
        return pods.every((p) => !before.has(p.metadata?.uid)) ? pods : undefined;
      },
      'every pod replaced',
      60_000,
    );
    expect(after).toHaveLength(3);
  });

  it('`kubectl scale` changes the number of running pods both ways', async () => {
    await k.ok('-n', ns, 'scale', 'deployment/web', '--replicas=5');
    await k.ok('-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s');
    await podsSettled(5, 'busybox:1.38');
    const ready = await k.ok('-n', ns, 'get', 'deployment/web', '-o', 'jsonpath={.status.readyReplicas}');
    expect(ready).toBe('5');
    await k.ok('-n', ns, 'scale', 'deployment/web', '--replicas=2');
    await podsSettled(2, 'busybox:1.38');
    const scale = await k.ok('-n', ns, 'get', 'deployment/web', '-o', 'jsonpath={.spec.replicas}');
    expect(scale).toBe('2');
  });

  it('deleting the Deployment removes its ReplicaSets and pods', async () => {
    await k.ok('-n', ns, 'delete', 'deployment/web', '--wait=true', '--timeout=60s');
    await until(
      async () => {
        const [rss, pods] = await Promise.all([
          k.api.list(ReplicaSets, { namespace: ns }),
          k.api.list(Pods, { namespace: ns }),
        ]);
        return rss.items.length === 0 && pods.items.length === 0 ? true : undefined;
      },
      'ReplicaSets and pods gone',
      60_000,
    );
    const got = await k.kubectl('-n', ns, 'get', 'deployment/web');
    expect(got.code).not.toBe(0);
    expect(got.stderr).toContain('NotFound');
  });

  it('deleting a namespace removes everything in it, then the namespace', async () => {
    const doomed = 'doomed';
    await k.ok('create', 'namespace', doomed);
    await k.apply(webDeployment(doomed, 2, 'busybox:1.36'));
    await k.ok('-n', doomed, 'create', 'configmap', 'settings', '--from-literal=a=b');
    await k.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: doomed },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await k.ok('-n', doomed, 'rollout', 'status', 'deployment/web', '--timeout=60s');
    expect((await livePods(doomed)).length).toBe(2);

    await k.ok('delete', 'namespace', doomed, '--wait=true', '--timeout=90s');
    const gone = await k.kubectl('get', 'namespace', doomed);
    expect(gone.code).not.toBe(0);
    const left = await Promise.all([
      k.api.list(Deployments, { namespace: doomed }),
      k.api.list(ReplicaSets, { namespace: doomed }),
      k.api.list(Pods, { namespace: doomed }),
      k.api.list(ConfigMaps, { namespace: doomed }),
      k.api.list(Services, { namespace: doomed }),
    ]);
    expect(left.map((l) => l.items.length)).toEqual([0, 0, 0, 0, 0]);
    await expect(k.api.get(Namespaces, doomed)).rejects.toMatchObject({ code: 'NotFound' });
  });
});
