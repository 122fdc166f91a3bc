import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ContainerdRuntime } from '@tugboat/runtime-containerd';

import {
  containerdWithTestImages,
  eventually,
  httpGet,
  kubectlOk,
  namespaceLabel,
  startContainerdTug,
  startTug,
  stopContainerdTug,
  type TugProcess,
} from './servicesHarness.js';

const ns = `svc-e2e-${randomBytes(3).toString('hex')}`;
const nodeName = 'tug-services-e2e';
// Ranges of their own, so another cluster on this machine (its proxy holds 127.10.0.1:443 and its
// load balancers start at 127.20.0.1) never answers in this one's place.
const clusterIpRange = '127.91.0.0/16';
const lbPool = '127.92.0.0/24';

const manifest = `
apiVersion: v1
kind: Namespace
metadata: { name: ${ns} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${ns} }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: httpd
          image: busybox:1.35
          command: [sh, -c, 'mkdir /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /, port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${ns} }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: web-nodeport, namespace: ${ns} }
spec:
  type: NodePort
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: web-lb, namespace: ${ns} }
spec:
  type: LoadBalancer
  selector: { app: web }
  ports: [{ port: 80, targetPort: http }]
`;

/** The distinct bodies answered by `rounds` requests, each on a new connection. */
async function hostnames(host: string, port: number, rounds: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < rounds; i++) seen.add((await httpGet(host, port)).trim());
  return seen;
}

describe('Services end to end: tug up on containerd', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tug-svc-e2e-'));
    dirs.push(dir);
    return dir;
  };
  let socket = '';
  let tug: TugProcess | undefined;
  let home = '';
  let config = '';
  let dnsPort = 0;
  let namespaceDeleted = false;
  const k = (...args: string[]): Promise<string> => kubectlOk(home, config, args);
  /** The names of the pods not being deleted. */
  const podNames = async (): Promise<string[]> => {
    const list = JSON.parse(await k('get', 'pods', '-n', ns, '-o', 'json')) as {
      items: { metadata: { name: string; deletionTimestamp?: string } }[];
    };
    return list.items.filter((p) => p.metadata.deletionTimestamp === undefined).map((p) => p.metadata.name);
  };
  const serviceField = (name: string, path: string): Promise<string> =>
    k('get', 'service', name, '-n', ns, '-o', `jsonpath={${path}}`);

  beforeAll(async () => {
    socket = await containerdWithTestImages();
    const dataDir = tempDir();
    home = tempDir();
    tug = startContainerdTug({ socket, dataDir: dataDir, nodeName, clusterIpRange, lbPool });
    config = (await tug.waitFor(/ready: kubeconfig at (\S+)/))[1] ?? '';
    dnsPort = Number((await tug.waitFor(/dns: cluster\.local on 127\.0\.0\.1:(\d+)\/udp/))[1]);
    await kubectlOk(home, config, ['apply', '-f', '-'], manifest);
    await kubectlOk(home, config, ['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=120s']);
  }, 240_000);

  afterAll(async () => {
    try {
      await stopContainerdTug({
        socket,
        tug,
        home,
        config,
        namespace: ns,
        deleteNamespace: !namespaceDeleted,
      });
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }, 180_000);

  it('prints progress for the proxy, the local cloud and the DNS', () => {
    const out = tug?.output() ?? '';
    expect(out).toMatch(/^cloud: local \(load balancers from 127\.92\.0\.0\/24/m);
    expect(out).toMatch(/^proxy: started/m);
    expect(out).toMatch(
      /^services: cluster IPs from 127\.91\.0\.0\/16.*default\/kubernetes at 127\.91\.0\.1:443$/m,
    );
  });

  it('reaches all three pods through the ClusterIP and the NodePort', async () => {
    const pods = new Set(await podNames());
    expect(pods.size).toBe(3);
    const clusterIp = await serviceField('web', '.spec.clusterIP');
    expect(clusterIp).toMatch(/^127\.91\./);
    const nodePort = Number(await serviceField('web-nodeport', '.spec.ports[0].nodePort'));
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    // Each answer is the hostname of the pod that served it, i.e. its name.
    expect(
      await eventually('all three pods behind the ClusterIP', 30_000, async () => {
        const seen = await hostnames(clusterIp, 80, 9);
        return seen.size === 3 ? seen : undefined;
      }),
    ).toEqual(pods);
    expect(
      await eventually('all three pods behind the NodePort', 30_000, async () => {
        const seen = await hostnames('127.0.0.1', nodePort, 9);
        return seen.size === 3 ? seen : undefined;
      }),
    ).toEqual(pods);
  }, 90_000);

  it('answers the Service name from the cluster DNS', async () => {
    const resolver = new Resolver();
    resolver.setServers([`127.0.0.1:${dnsPort}`]);
    const clusterIp = await serviceField('web', '.spec.clusterIP');
    expect(await resolver.resolve4(`web.${ns}.svc.cluster.local`)).toEqual([clusterIp]);
    expect(await resolver.resolve4('kubernetes.default.svc.cluster.local')).toEqual(['127.91.0.1']);
  });

  it('gives pods a working kube-api-access volume: the token authenticates as the ServiceAccount', async () => {
    const [pod] = await podNames();
    const mount = '/var/run/secrets/kubernetes.io/serviceaccount';
    const read = (file: string): Promise<string> =>
      k('exec', '-n', ns, pod ?? '', '--', 'cat', `${mount}/${file}`);
    expect(await read('namespace')).toBe(ns);
    const token = await read('token');
    const ca = await read('ca.crt');
    const server = await k('config', 'view', '-o', 'jsonpath={.clusters[0].cluster.server}');
    const saConfig = join(tempDir(), 'sa.kubeconfig');
    writeFileSync(
      saConfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') },
          },
        ],
        users: [{ name: 'sa', user: { token } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'sa' } }],
        'current-context': 'c',
      }),
    );
    const whoami = await kubectlOk(home, saConfig, [
      'auth',
      'whoami',
      '-o',
      'jsonpath={.status.userInfo.username}',
    ]);
    expect(whoami).toBe(`system:serviceaccount:${ns}:default`);
  }, 60_000);

  it('after kubectl scale --replicas=1, only the remaining pod answers', async () => {
    await k('scale', 'deployment/web', '-n', ns, '--replicas=1');
    const [survivor] = await eventually('one pod left', 30_000, async () => {
      const names = await podNames();
      return names.length === 1 ? names : undefined;
    });
    const clusterIp = await serviceField('web', '.spec.clusterIP');
    const nodePort = Number(await serviceField('web-nodeport', '.spec.ports[0].nodePort'));
    const only = new Set([survivor]);
    // Terminating pods leave the endpoints at once; a short deadline covers the watch's delay.
    expect(
      await eventually('only the survivor behind the ClusterIP', 10_000, async () => {
        const seen = await hostnames(clusterIp, 80, 6);
        return seen.size === 1 ? seen : undefined;
      }),
    ).toEqual(only);
    expect(await hostnames('127.0.0.1', nodePort, 6)).toEqual(only);
  }, 60_000);

  it('gives a LoadBalancer Service an ingress IP from the pool that serves', async () => {
    const ip = await eventually('a load balancer ingress', 30_000, async () => {
      const v = await serviceField('web-lb', '.status.loadBalancer.ingress[0].ip');
      return v === '' ? undefined : v;
    });
    expect(ip).toMatch(/^127\.92\.0\./);
    const [survivor] = await podNames();
    expect(await eventually('the load balancer serving', 10_000, () => httpGet(ip, 80))).toBe(
      `${survivor ?? ''}\n`,
    );
  }, 60_000);

  it('deleting the namespace leaves no container of its pods in containerd', async () => {
    await k('delete', 'namespace', ns, '--wait=true', '--timeout=90s');
    namespaceDeleted = true;
    const runtime = new ContainerdRuntime({ socket });
    try {
      await eventually('no containers of the namespace', 60_000, async () => {
        const containers = await runtime.listContainers({ labelSelector: { [namespaceLabel]: ns } });
        const sandboxes = await runtime.listPodSandboxes({ labelSelector: { [namespaceLabel]: ns } });
        return containers.length === 0 && sandboxes.length === 0 ? true : undefined;
      });
    } finally {
      await runtime.close();
    }
  }, 120_000);
});

describe('tug up: the cluster DNS port', () => {
  it('names the DNS port and the fix when it is in use, and exits 1 without becoming ready', async () => {
    const blocker = createSocket('udp4');
    await new Promise<void>((r) => blocker.bind(0, '127.0.0.1', r));
    const dir = mkdtempSync(join(tmpdir(), 'tug-svc-dns-'));
    const { port } = blocker.address();
    const tug = startTug([
      '--port',
      '0',
      '--data-dir',
      dir,
      '--runtime',
      'fake',
      '--kubelet-port',
      '0',
      '--node-name',
      'tug-dns-port-test',
      '--dns-port',
      String(port),
    ]);
    try {
      await tug.waitFor(/^proxy: started/m);
      await eventually('tug to exit', 60_000, () => Promise.resolve(tug.child.exitCode ?? undefined));
      expect(tug.child.exitCode).toBe(1);
      expect(tug.output()).toContain(`the cluster DNS port ${port} on 127.0.0.1 is already in use`);
      expect(tug.output()).toContain('--dns-port');
      expect(tug.output()).not.toContain('ready:');
    } finally {
      await tug.stop();
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
