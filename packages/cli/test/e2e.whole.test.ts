import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { appsv1, autoscalingv2, corev1 } from '@tugboat/core';
import { ContainerdRuntime } from '@tugboat/runtime-containerd';

import {
  containerdWithTestImages,
  eventually,
  httpGet,
  kubectl,
  kubectlOk,
  namespaceLabel,
  startContainerdTug,
  stopContainerdTug,
  type TugProcess,
} from './servicesHarness.js';
import { CpuLoad, RequestLoop, versionedImages, type VersionedImages } from './wholeHarness.js';

const run = randomBytes(3).toString('hex');
const ns = `whole-e2e-${run}`;
const nodeName = 'tug-whole-e2e';
// Ranges of its own, so another cluster on this machine never answers in this one's place.
const clusterIpRange = '127.93.0.0/16';
const lbPool = '127.94.0.0/24';

// Each answer is "<pod name> <image marker>". /cgi-bin/burn spends ≈ 50 ms of CPU per request: the
// HPA's load. The preStop sleep keeps a terminating pod serving while the endpoints controller and
// the proxy take it out of rotation, which (with a readiness probe and maxUnavailable 0) is how
// Kubernetes users get rollouts without a failed request.
const serve = `mkdir -p /www/cgi-bin
echo "$(hostname) $TUG_IMAGE_MARKER" > /www/index.html
printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n"\\ni=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo burnt\\n' > /www/cgi-bin/burn
chmod +x /www/cgi-bin/burn
exec httpd -f -p 8080 -h /www`;

const manifest = (image: string): string => `
apiVersion: v1
kind: Namespace
metadata: { name: ${ns} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${ns} }
spec:
  replicas: 2
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 10
      containers:
        - name: httpd
          image: ${image}
          command: [sh, -c, ${JSON.stringify(serve)}]
          ports: [{ name: http, containerPort: 8080 }]
          resources: { requests: { cpu: 50m } }
          readinessProbe: { httpGet: { path: /, port: 8080 }, periodSeconds: 1 }
          lifecycle: { preStop: { exec: { command: [sleep, '5'] } } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${ns} }
spec:
  type: NodePort
  selector: { app: web }
  ports: [{ port: 80, targetPort: http }]
`;

// Scale-down stabilization shortened from 5 minutes, as the HPA's own behavior field allows.
const hpa = `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: ${ns} }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 1
  maxReplicas: 3
  metrics:
    - type: Resource
      resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }
  behavior:
    scaleDown: { stabilizationWindowSeconds: 0 }
`;

describe('the whole system end to end: tug up on containerd, kubectl, rollouts and autoscaling', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tug-whole-e2e-'));
    dirs.push(dir);
    return dir;
  };
  let socket = '';
  let tug: TugProcess | undefined;
  let images: VersionedImages | undefined;
  let home = '';
  let config = '';
  let nodePort = 0;
  const k = (...args: string[]): Promise<string> => kubectlOk(home, config, args);
  const json = async <T>(...args: string[]): Promise<T> => JSON.parse(await k(...args, '-o', 'json')) as T;
  const image = (): VersionedImages => {
    if (images === undefined) throw new Error('no images: see beforeAll');
    return images;
  };
  /** The pods not being deleted. */
  const livePods = async (): Promise<corev1.Pod[]> =>
    (await json<corev1.PodList>('get', 'pods', '-n', ns)).items.filter(
      (p) => p.metadata?.deletionTimestamp === undefined,
    );
  const deployment = (): Promise<appsv1.Deployment> => json('get', 'deployment/web', '-n', ns);
  /** The distinct answers of `rounds` requests to the NodePort. */
  const answers = async (rounds: number): Promise<Set<string>> => {
    const seen = new Set<string>();
    for (let i = 0; i < rounds; i++) seen.add((await httpGet('127.0.0.1', nodePort)).trim());
    return seen;
  };
  /** Runs `change`, then waits for the rollout to `target`, with a client loop on the NodePort throughout. */
  const rollWithTraffic = async (change: () => Promise<unknown>, target: string): Promise<RequestLoop> => {
    const loop = new RequestLoop('127.0.0.1', nodePort);
    try {
      await eventually('a first answer before the change', 10_000, () =>
        Promise.resolve(loop.answers.length > 0 ? true : undefined),
      );
      await change();
      await k('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=120s');
      // Old pods terminate after the rollout is complete: traffic goes on until they are gone.
      await eventually('only pods of the new image', 60_000, async () => {
        const pods = (await json<corev1.PodList>('get', 'pods', '-n', ns)).items;
        return pods.every((p) => p.spec?.containers[0]?.image === target) ? true : undefined;
      });
      const seen = loop.answers.length;
      await eventually('ten more answers', 30_000, () =>
        Promise.resolve(loop.answers.length >= seen + 10 ? true : undefined),
      );
    } finally {
      await loop.stop();
    }
    return loop;
  };

  beforeAll(async () => {
    socket = await containerdWithTestImages();
    images = await versionedImages(tempDir(), run);
    home = tempDir();
    tug = startContainerdTug({ socket, dataDir: tempDir(), nodeName, clusterIpRange, lbPool });
    config = (await tug.waitFor(/ready: kubeconfig at (\S+)/))[1] ?? '';
    await kubectlOk(home, config, ['apply', '-f', '-'], manifest(images.v1));
    await k('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=120s');
    nodePort = Number(await k('get', 'service/web', '-n', ns, '-o', 'jsonpath={.spec.ports[0].nodePort}'));
  }, 240_000);

  afterAll(async () => {
    try {
      await stopContainerdTug({
        socket,
        tug,
        home,
        config,
        namespace: ns,
        alsoRemove: async (runtime) => {
          for (const ref of images === undefined ? [] : [images.v1, images.v2])
            await runtime.removeImage(ref).catch(() => undefined);
        },
      });
    } finally {
      await images?.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }, 180_000);

  it('serves the Deployment through its NodePort from both pods, pulled from the registry', async () => {
    const pods = await livePods();
    expect(pods.map((p) => p.spec?.containers[0]?.image)).toEqual([image().v1, image().v1]);
    const expected = new Set(pods.map((p) => `${p.metadata?.name ?? ''} ${image().markers.v1}`));
    expect(
      await eventually('both pods behind the NodePort', 30_000, async () => {
        const seen = await answers(6);
        return seen.size === 2 ? seen : undefined;
      }),
    ).toEqual(expected);
  }, 60_000);

  it('kubectl set image rolls the pods to v2 without one failed request', async () => {
    const loop = await rollWithTraffic(
      () => k('set', 'image', 'deployment/web', `httpd=${image().v2}`, '-n', ns),
      image().v2,
    );
    expect(loop.failures).toEqual([]);
    const versions = loop.answers.map((a) => a.split(' ')[1]);
    expect(versions[0]).toBe(image().markers.v1);
    expect(versions.slice(-10)).toEqual(Array(10).fill(image().markers.v2));
    const pods = await livePods();
    expect(pods).toHaveLength(2);
    expect(await answers(6)).toEqual(
      new Set(pods.map((p) => `${p.metadata?.name ?? ''} ${image().markers.v2}`)),
    );
  }, 240_000);

  it('kubectl top pods shows the pods’ CPU and memory from the kubelet’s stats', async () => {
    const names = (await livePods()).map((p) => p.metadata?.name ?? '').sort();
    const rows = await eventually('kubectl top pods', 60_000, async () => {
      const r = await kubectl(home, config, ['top', 'pods', '-n', ns, '--no-headers']);
      const lines = r.stdout
        .trim()
        .split('\n')
        .filter((l) => l !== '');
      return r.code === 0 && lines.length === names.length ? lines : undefined;
    });
    expect(rows.map((l) => l.split(/\s+/)[0]).sort()).toEqual(names);
    // httpd's working set is a few hundred KiB, which kubectl rounds to 0Mi.
    for (const row of rows) expect(row.trim()).toMatch(/^\S+\s+\d+m\s+\d+Mi$/);
  }, 90_000);

  it('an HPA on CPU scales the Deployment up under load and back down to 1 after', async () => {
    await k('scale', 'deployment/web', '-n', ns, '--replicas=1');
    await eventually('one pod', 60_000, async () => ((await livePods()).length === 1 ? true : undefined));
    await kubectlOk(home, config, ['apply', '-f', '-'], hpa);
    const load = new CpuLoad('127.0.0.1', nodePort, '/cgi-bin/burn');
    try {
      const scaled = await eventually('a scale-up under load', 150_000, async () => {
        const d = await deployment();
        return (d.spec?.replicas ?? 0) > 1 && (d.status?.readyReplicas ?? 0) > 1 ? d : undefined;
      });
      expect(scaled.spec?.replicas).toBeLessThanOrEqual(3);
      expect(load.served).toBeGreaterThan(0);
    } finally {
      await load.stop();
    }
    await eventually('a scale-down once the load stopped', 150_000, async () => {
      const d = await deployment();
      return d.spec?.replicas === 1 && (await livePods()).length === 1 ? true : undefined;
    });
    // The HPA acts on samples up to one metrics resolution old: wait until it sees the load gone,
    // so the rollout below starts from a settled autoscaler.
    await eventually('the HPA seeing no load', 60_000, async () => {
      const status = (await json<autoscalingv2.HorizontalPodAutoscaler>('get', 'hpa/web', '-n', ns)).status;
      const used = status?.currentMetrics?.[0]?.resource?.current.averageUtilization;
      return status?.currentReplicas === 1 && used !== undefined && used < 50 ? true : undefined;
    });
    const events = await k(
      'get',
      'events',
      '-n',
      ns,
      '--field-selector',
      'involvedObject.kind=HorizontalPodAutoscaler',
    );
    expect(events).toMatch(/SuccessfulRescale.*New size: [23]; reason: cpu resource utilization/);
    expect(events).toMatch(/SuccessfulRescale.*New size: 1; reason: All metrics below target/);
  }, 360_000);

  it('kubectl rollout undo returns to the v1 image, again without a failed request', async () => {
    const loop = await rollWithTraffic(() => k('rollout', 'undo', 'deployment/web', '-n', ns), image().v1);
    expect(loop.failures).toEqual([]);
    expect((await deployment()).spec?.template.spec?.containers[0]?.image).toBe(image().v1);
    const versions = loop.answers.map((a) => a.split(' ')[1]);
    expect(versions[0]).toBe(image().markers.v2);
    expect(versions.slice(-10)).toEqual(Array(10).fill(image().markers.v1));
    const pods = await livePods();
    expect(pods).not.toHaveLength(0);
    expect(pods.map((p) => p.spec?.containers[0]?.image)).toEqual(pods.map(() => image().v1));
    const serving = new Set(pods.map((p) => `${p.metadata?.name ?? ''} ${image().markers.v1}`));
    for (const answer of await answers(3)) expect(serving).toContain(answer);
  }, 240_000);

  it('deleting the namespace leaves no sandbox of its pods in containerd', async () => {
    await k('delete', 'namespace', ns, '--wait=true', '--timeout=90s');
    const runtime = new ContainerdRuntime({ socket });
    try {
      await eventually('no sandboxes of the namespace', 60_000, async () => {
        const sandboxes = await runtime.listPodSandboxes({ labelSelector: { [namespaceLabel]: ns } });
        return sandboxes.length === 0 ? true : undefined;
      });
    } finally {
      await runtime.close();
    }
  }, 120_000);
});
