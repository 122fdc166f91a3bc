import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  containerdWithTestImages,
  eventually,
  kubectl,
  kubectlOk,
  startContainerdTug,
  stopContainerdTug,
  type TugProcess,
} from './servicesHarness.js';

const ns = `pod-svc-${randomBytes(3).toString('hex')}`;
const nodeName = 'tug-pod-services-e2e';
// Outside loopback so pods in their own network namespace can reach it, inside the 10.96.0.0/12
// that scripts/containerd.sh routes from pods to the host, and on nothing else on this machine
// (`ip addr`/`ip route` show no 10.107.x.y): its addresses exist only on the proxy's tug-svc0.
const clusterIpRange = '10.107.0.0/16';
const kubeDnsIp = '10.107.0.10';
const serviceInterface = 'tug-svc0';
const lbPool = '127.95.0.0/24';

const manifest = `
apiVersion: v1
kind: Namespace
metadata: { name: ${ns} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${ns} }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: httpd
          image: busybox:1.35
          command: [sh, -c, 'mkdir /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
          ports: [{ containerPort: 8080 }]
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
kind: Pod
metadata: { name: client, namespace: ${ns} }
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: sh
      image: busybox:1.35
      command: [sleep, '3600']
`;

/** Whether the host has a network interface of that name. */
function hasInterface(name: string): boolean {
  try {
    execFileSync('ip', ['link', 'show', 'dev', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('Services from a pod in its own network namespace: tug up on containerd with a non-loopback range', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tug-podsvc-e2e-'));
    dirs.push(dir);
    return dir;
  };
  let socket = '';
  let tug: TugProcess | undefined;
  let home = '';
  let config = '';
  const k = (...args: string[]): Promise<string> => kubectlOk(home, config, args);
  const inClient = (...cmd: string[]): Promise<string> => k('exec', '-n', ns, 'client', '--', ...cmd);

  beforeAll(async () => {
    socket = await containerdWithTestImages();
    const dataDir = tempDir();
    home = tempDir();
    tug = startContainerdTug({ socket, dataDir: dataDir, nodeName, clusterIpRange, lbPool });
    config = (await tug.waitFor(/ready: kubeconfig at (\S+)/))[1] ?? '';
    await kubectlOk(home, config, ['apply', '-f', '-'], manifest);
    await kubectlOk(home, config, ['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=120s']);
    await kubectlOk(home, config, [
      'wait',
      '-n',
      ns,
      '--for=condition=Ready',
      'pod/client',
      '--timeout=120s',
    ]);
  }, 240_000);

  afterAll(async () => {
    try {
      await stopContainerdTug({ socket, tug, home, config, namespace: ns });
    } finally {
      // A failed run must not leave the service addresses on this machine.
      if (hasInterface(serviceInterface)) execFileSync('ip', ['link', 'del', serviceInterface]);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }, 180_000);

  it('announces the kube-dns Service at the tenth address of the range', () => {
    expect(tug?.output()).toMatch(
      new RegExp(
        `^dns: cluster\\.local on 127\\.0\\.0\\.1:\\d+/udp\\+tcp; Service kube-system/kube-dns at ${kubeDnsIp.replace(/\./g, '\\.')}:53$`,
        'm',
      ),
    );
  });

  it('gives the pod the cluster DNS, the namespace search path and ndots:5 in /etc/resolv.conf', async () => {
    const resolv = await inClient('cat', '/etc/resolv.conf');
    expect(resolv).toContain(`nameserver ${kubeDnsIp}\n`);
    expect(resolv).toMatch(
      new RegExp(`^search ${ns}\\.svc\\.cluster\\.local svc\\.cluster\\.local cluster\\.local\\b`, 'm'),
    );
    expect(resolv).toMatch(/^options ndots:5$/m);
  });

  it('resolves web.<ns>.svc.cluster.local to the Service cluster IP from inside the pod', async () => {
    const clusterIp = await k('get', 'service', 'web', '-n', ns, '-o', 'jsonpath={.spec.clusterIP}');
    expect(clusterIp).toMatch(/^10\.107\./);
    const out = await eventually('nslookup from the pod', 30_000, async () => {
      const r = await inClient('nslookup', `web.${ns}.svc.cluster.local`);
      return r.includes(clusterIp) ? r : undefined;
    });
    expect(out).toContain(`Address: ${clusterIp}`);
  }, 60_000);

  it('reaches the backend pod through the Service name, full and short', async () => {
    const [backend] = (
      await k('get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}')
    ).split(' ');
    // No `-T`: the wget of Debian's busybox-static 1.35 crashes (SIGSEGV) when given a timeout.
    const body = await eventually('wget from the pod', 30_000, () =>
      inClient('wget', '-qO-', `http://web.${ns}.svc.cluster.local/`),
    );
    expect(body).toBe(`${backend ?? ''}\n`);
    // The short name resolves through the search path, as in any Kubernetes pod.
    expect(await inClient('wget', '-qO-', 'http://web/')).toBe(`${backend ?? ''}\n`);
  }, 60_000);

  it('stopping tug removes the service interface and its addresses', async () => {
    expect(hasInterface(serviceInterface)).toBe(true);
    await kubectl(home, config, ['delete', 'namespace', ns, '--wait=true', '--timeout=60s']);
    await tug?.stop();
    expect(hasInterface(serviceInterface)).toBe(false);
  }, 120_000);
});
