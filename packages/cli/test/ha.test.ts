import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CertificateSigningRequests } from '@tugboat/apiserver';
import { HttpApiClient, loadKubeconfig } from '@tugboat/client';
import { ListWatchInformer, resources, silentLogger, type appsv1, type corev1 } from '@tugboat/core';
import { startEtcdCluster, type EtcdCluster } from '@tugboat/testing';

import { caCertHash } from '../src/caCertHash.js';
import { TcpBalancer, eventually, startTug, type TugProcess } from './haHarness.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const run = promisify(execFile);
const leaseFlags = [
  '--leader-elect-lease-duration',
  '4s',
  '--leader-elect-renew-deadline',
  '3s',
  '--leader-elect-retry-period',
  '500ms',
];
const replicas = 4;

interface Plane {
  readonly proc: TugProcess;
  readonly port: number;
  readonly identity: string;
}

let etcd: EtcdCluster | undefined;
let dir = '';
const processes: TugProcess[] = [];
let lb: TcpBalancer | undefined;
let client: HttpApiClient | undefined;
let pods: ListWatchInformer<corev1.Pod> | undefined;
let tokenId = '';

async function startPlane(dataDir: string): Promise<Plane> {
  const proc = startTug([
    'control-plane',
    '--store',
    etcd?.url ?? '',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    // Its own cluster IP range, so n1's proxy never meets another test's listeners.
    '--service-cluster-ip-range',
    '127.78.0.0/16',
    ...leaseFlags,
  ]);
  processes.push(proc);
  const m = await proc.waitFor(
    /apiserver: listening on https:\/\/127\.0\.0\.1:(\d+) \(identity (\S+)\)/,
    120_000,
  );
  await proc.waitFor(/^ready: /m, 120_000);
  return { proc, port: Number(m[1]), identity: m[2] ?? '' };
}

async function holders(api: HttpApiClient): Promise<{ scheduler?: string; manager?: string }> {
  const get = async (name: string): Promise<string | undefined> =>
    (await api.get(resources.Leases, name, { namespace: 'kube-system' }).catch(() => undefined))?.spec
      ?.holderIdentity ?? undefined;
  const [scheduler, manager] = await Promise.all([get('kube-scheduler'), get('kube-controller-manager')]);
  return { ...(scheduler !== undefined ? { scheduler } : {}), ...(manager !== undefined ? { manager } : {}) };
}

describe('tug control-plane ×2 on a 3-member etcd, tug node ×2 joined with a bootstrap token', () => {
  const planes: Plane[] = [];
  const nodes: TugProcess[] = [];
  /** The most live (not deleting) pods any ReplicaSet ever had at once, by ReplicaSet name. */
  const peak = new Map<string, number>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tug-ha-'));
    etcd = await startEtcdCluster(3);
    // The first plane creates the PKI; the second shares the data directory, hence the same CA and keys.
    planes.push(await startPlane(join(dir, 'cp')));
    planes.push(await startPlane(join(dir, 'cp')));
    lb = await TcpBalancer.start(planes.map((p) => p.port));
    const server = `https://127.0.0.1:${lb.port}`;
    client = new HttpApiClient({
      // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a plain object (the options type shares its name with a DI token)
      ...loadKubeconfig(join(dir, 'cp', 'kubeconfig')),
      server,
      timeoutMs: 10_000,
    });
    const { stdout } = await run(
      join(repo, 'tug'),
      ['token', 'create', '--data-dir', join(dir, 'cp'), '--ttl', '10m'],
      {
        cwd: repo,
      },
    );
    const token = stdout.trim();
    tokenId = token.split('.')[0] ?? '';
    // n1 is given the CA file; n2 discovers the CA through the load balancer, pinned by its hash.
    // Both are on this one machine, so only n1's proxy serves the cluster IPs.
    const caFile = join(dir, 'cp', 'pki', 'ca.crt');
    const trust: Record<string, string[]> = {
      n1: ['--ca-cert', caFile],
      n2: ['--discovery-token-ca-cert-hash', caCertHash(readFileSync(caFile, 'utf8')), '--proxy', 'off'],
    };
    for (const name of ['n1', 'n2']) {
      const proc = startTug([
        'node',
        '--server',
        server,
        '--token',
        token,
        ...(trust[name] ?? []),
        '--node-name',
        name,
        '--data-dir',
        join(dir, name),
        '--runtime',
        'fake',
        '--kubelet-port',
        '0',
      ]);
      processes.push(proc);
      nodes.push(proc);
    }
    await Promise.all(nodes.map((n) => n.waitFor(/^ready: /m, 120_000)));
    pods = new ListWatchInformer<corev1.Pod>(client, resources.Pods, silentLogger, { namespace: 'default' });
    pods.events.subscribe(() => {
      const counts = new Map<string, number>();
      for (const p of pods?.cache.list() ?? []) {
        if (p.metadata?.deletionTimestamp || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')
          continue;
        const rs = p.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
        if (rs !== undefined) counts.set(rs, (counts.get(rs) ?? 0) + 1);
      }
      for (const [rs, n] of counts) peak.set(rs, Math.max(peak.get(rs) ?? 0, n));
    });
    await pods.start();
  }, 300_000);

  afterAll(async () => {
    await pods?.stop();
    client?.close();
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await lb?.close();
    await etcd?.stop();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('joins both nodes with certificates from the CSR API, acting as system:node:<name>', async () => {
    const api = client as HttpApiClient;
    const ready = await eventually('two Ready nodes', 60_000, async () => {
      const list = await api.list(resources.Nodes);
      const names = list.items
        .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        .map((n) => n.metadata?.name);
      return names.length === 2 ? names.sort() : undefined;
    });
    expect(ready).toEqual(['n1', 'n2']);
    expect(nodes[1]?.output()).toMatch(/^discovery: cluster CA from kube-public\/cluster-info/m);
    expect(nodes[0]?.output()).toMatch(/^proxy: started \(cluster IPs, and NodePorts/m);
    // Each node asked for its client certificate as the token's user, then for its serving one as itself.
    const csrs = await api.list(CertificateSigningRequests);
    const requesters = csrs.items.map((c) => [c.spec.signerName, c.spec.username]).sort();
    expect(requesters).toEqual([
      ['kubernetes.io/kube-apiserver-client-kubelet', `system:bootstrap:${tokenId}`],
      ['kubernetes.io/kube-apiserver-client-kubelet', `system:bootstrap:${tokenId}`],
      ['kubernetes.io/kubelet-serving', 'system:node:n1'],
      ['kubernetes.io/kubelet-serving', 'system:node:n2'],
    ]);
    expect(csrs.items.every((c) => (c.status?.certificate ?? '') !== '')).toBe(true);
  });

  it('keeps one leader per lease, takes over within 15 s of the leader being killed mid-rollout, and completes the rollout without duplicate or lost objects', async () => {
    const api = client as HttpApiClient;
    const leaders = await eventually('both leases held', 15_000, async () => {
      const h = await holders(api);
      return h.scheduler !== undefined && h.manager !== undefined ? h : undefined;
    });
    const leader = planes.find((p) => p.identity === leaders.manager);
    expect(leader).toBeDefined();
    const survivor = planes.find((p) => p !== leader) as Plane;

    // Objects written before the failover must all be there after it.
    const configMaps = Array.from({ length: 20 }, (_, i) => `keep-${i}`);
    await Promise.all(
      configMaps.map((name) =>
        api.create(
          resources.ConfigMaps,
          { metadata: { name, namespace: 'default' }, data: { i: name } },
          { namespace: 'default' },
        ),
      ),
    );
    const deployment: appsv1.Deployment = {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas,
        minReadySeconds: 2,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'example.com/web:1', command: ['sleep', '3600'] }] },
        },
      },
    };
    await api.create(resources.Deployments, deployment, { namespace: 'default' });
    await eventually('first rollout complete', 60_000, async () => {
      const d = await api.get(resources.Deployments, 'web', { namespace: 'default' });
      return d.status?.availableReplicas === replicas && d.status.updatedReplicas === replicas
        ? d
        : undefined;
    });

    await api.patch(
      resources.Deployments,
      'web',
      'merge',
      {
        spec: {
          template: {
            spec: { containers: [{ name: 'web', image: 'example.com/web:2', command: ['sleep', '3600'] }] },
          },
        },
      },
      { namespace: 'default' },
    );
    // The rollout is under way once the new ReplicaSet has a pod.
    await eventually('rollout started', 15_000, async () => {
      const rss = await api.list(resources.ReplicaSets, { namespace: 'default' });
      return rss.items.some(
        (rs) =>
          rs.spec?.template?.spec?.containers[0]?.image === 'example.com/web:2' &&
          (rs.status?.replicas ?? 0) > 0,
      )
        ? true
        : undefined;
    });
    const killedAt = Date.now();
    await leader?.proc.kill('SIGKILL');

    const takeover = await eventually('the survivor holds both leases', 20_000, async () => {
      const h = await holders(api);
      return h.scheduler === survivor.identity && h.manager === survivor.identity
        ? Date.now() - killedAt
        : undefined;
    });
    expect(takeover).toBeLessThanOrEqual(15_000);

    const done = await eventually('second rollout complete', 90_000, async () => {
      const d = await api.get(resources.Deployments, 'web', { namespace: 'default' });
      const s = d.status;
      return (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
        s?.updatedReplicas === replicas &&
        s.availableReplicas === replicas &&
        s.replicas === replicas
        ? d
        : undefined;
    });
    expect(done.status?.unavailableReplicas ?? 0).toBe(0);

    const live = await eventually('old pods gone', 60_000, async () => {
      const list = await api.list(resources.Pods, { namespace: 'default' });
      const alive = list.items.filter((p) => !p.metadata?.deletionTimestamp);
      return alive.length === replicas ? alive : undefined;
    });
    expect(live.every((p) => p.spec?.containers[0]?.image === 'example.com/web:2')).toBe(true);
    expect(live.every((p) => p.spec?.nodeName === 'n1' || p.spec?.nodeName === 'n2')).toBe(true);
    // No ReplicaSet ever had more live pods than the Deployment's replicas: no duplicate creation.
    expect(peak.size).toBeGreaterThanOrEqual(2);
    for (const [, n] of peak) expect(n).toBeLessThanOrEqual(replicas);
    const rss = await api.list(resources.ReplicaSets, { namespace: 'default' });
    expect(rss.items).toHaveLength(2);

    const kept = await api.list(resources.ConfigMaps, { namespace: 'default' });
    const names = new Set(kept.items.map((c) => c.metadata?.name));
    expect(configMaps.filter((n) => !names.has(n))).toEqual([]);
    const csrs = await run(
      'kubectl',
      [
        '--kubeconfig',
        join(dir, 'cp', 'kubeconfig'),
        '--server',
        `https://127.0.0.1:${survivor.port}`,
        'get',
        'csr',
        '-o',
        'name',
      ],
      { cwd: repo },
    );
    expect(csrs.stdout.trim().split('\n')).toHaveLength(4);
  }, 240_000);
});
