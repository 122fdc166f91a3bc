import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLogger, type corev1 } from '@tugboat/core';

import { PodDns } from '../src/pod/PodDns.js';
import { podDnsConfig, type NodeDnsSettings } from '../src/pod/podDnsConfig.js';
import { startPodHarness, until } from './podHarness.js';

const host = { servers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0'] };
const node: NodeDnsSettings = { clusterDns: ['10.96.0.10'], clusterDomain: 'cluster.local', host };
const clusterSearch = ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

function pod(spec: Partial<corev1.PodSpec> = {}): corev1.Pod {
  return {
    metadata: { name: 'p', namespace: 'web', uid: 'u1' },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec },
  };
}

describe('podDnsConfig: the sandbox resolver configuration per dnsPolicy', () => {
  it('ClusterFirst (and no policy at all): the cluster DNS, the namespace search path, then the host search, ndots:5', () => {
    const want = {
      dnsConfig: {
        servers: ['10.96.0.10'],
        searches: [...clusterSearch, 'corp.example'],
        options: ['ndots:5'],
      },
      warnings: [],
    };
    expect(podDnsConfig(pod({ dnsPolicy: 'ClusterFirst' }), node)).toEqual(want);
    expect(podDnsConfig(pod(), node)).toEqual(want);
  });

  it('ClusterFirst on the host network falls back to the host resolver; ClusterFirstWithHostNet does not', () => {
    expect(podDnsConfig(pod({ dnsPolicy: 'ClusterFirst', hostNetwork: true }), node).dnsConfig).toEqual(host);
    expect(
      podDnsConfig(pod({ dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }), node).dnsConfig,
    ).toEqual({
      servers: ['10.96.0.10'],
      searches: [...clusterSearch, 'corp.example'],
      options: ['ndots:5'],
    });
  });

  it('Default: the host resolver as it is', () => {
    expect(podDnsConfig(pod({ dnsPolicy: 'Default' }), node)).toEqual({ dnsConfig: host, warnings: [] });
  });

  it('None: only spec.dnsConfig, options written name:value', () => {
    const p = pod({
      dnsPolicy: 'None',
      dnsConfig: {
        nameservers: ['1.2.3.4'],
        searches: ['ns1.svc.cluster-domain.example'],
        options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
      },
    });
    expect(podDnsConfig(p, node).dnsConfig).toEqual({
      servers: ['1.2.3.4'],
      searches: ['ns1.svc.cluster-domain.example'],
      options: ['ndots:2', 'edns0'],
    });
  });

  it('appends spec.dnsConfig to a cluster policy: servers and searches deduplicated, options overriding by name', () => {
    const p = pod({
      dnsConfig: {
        nameservers: ['10.96.0.10', '1.1.1.1'],
        searches: ['svc.cluster.local', 'extra.example'],
        options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }],
      },
    });
    expect(podDnsConfig(p, node).dnsConfig).toEqual({
      servers: ['10.96.0.10', '1.1.1.1'],
      searches: [...clusterSearch, 'corp.example', 'extra.example'],
      options: ['ndots:1', 'single-request'],
    });
  });

  it('without a cluster DNS, a cluster policy falls back to Default with a MissingClusterDNS warning', () => {
    const r = podDnsConfig(pod(), { ...node, clusterDns: [] });
    expect(r.dnsConfig).toEqual(host);
    expect(r.warnings).toEqual([
      {
        reason: 'MissingClusterDNS',
        message:
          'pod: "p_web(u1)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.',
      },
    ]);
  });

  it('without a host resolver file, host policies point at the node itself with no search path, as upstream', () => {
    expect(podDnsConfig(pod({ dnsPolicy: 'Default' }), { ...node, host: undefined }).dnsConfig).toEqual({
      servers: ['127.0.0.1'],
      searches: ['.'],
      options: [],
    });
  });

  it('keeps three nameservers and 32 search paths, and says so', () => {
    const searches = Array.from({ length: 40 }, (_, i) => `s${i}.example`);
    const r = podDnsConfig(
      pod({ dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3'], searches } }),
      node,
    );
    expect(r.dnsConfig.servers).toEqual(['10.96.0.10', '1.1.1.1', '2.2.2.2']);
    expect(r.dnsConfig.searches).toHaveLength(32);
    expect(r.dnsConfig.searches.slice(0, 3)).toEqual(clusterSearch);
    expect(r.warnings.map((w) => w.reason)).toEqual(['DNSConfigForming', 'DNSConfigForming']);
    expect(r.warnings[0]?.message).toBe(
      'Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.96.0.10 1.1.1.1 2.2.2.2',
    );
  });
});

describe('PodDns: the node settings', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tug-pod-dns-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the host resolver from resolvConf; an unreadable file leaves the runtime default', async () => {
    const file = join(dir, 'resolv.conf');
    await writeFile(file, '# host\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0 ndots:2\n');
    const dns = new PodDns({ clusterDns: ['10.96.0.10'], resolvConf: file, log: silentLogger });
    expect((await dns.forPod(pod({ dnsPolicy: 'Default' }))).dnsConfig).toEqual({
      servers: ['192.0.2.53'],
      searches: ['corp.example'],
      options: ['edns0', 'ndots:2'],
    });
    const missing = new PodDns({ resolvConf: join(dir, 'absent'), log: silentLogger });
    expect((await missing.forPod(pod({ dnsPolicy: 'Default' }))).dnsConfig).toEqual({
      servers: [],
      searches: [],
      options: [],
    });
  });
});

describe('the kubelet: DNS settings of the sandboxes it creates', () => {
  it('passes ClusterFirst settings to the runtime, which pods see as /etc/resolv.conf', async () => {
    const h = await startPodHarness({ kubelet: { clusterDns: ['10.96.0.10'], resolvConf: '' } });
    try {
      await h.kubelet.start();
      await h.createPod('dns', {
        containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }],
      });
      await h.waitPod('dns', (p) => p.status?.phase === 'Running', 'running');
      const [sandbox] = [...h.node.sandboxes.values()];
      expect(sandbox?.config.dnsConfig).toEqual({
        servers: ['10.96.0.10'],
        searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
        options: ['ndots:5'],
      });
      const [id] = [...(sandbox?.containers ?? [])];
      const out = await h.runtime.execSync(id ?? '', ['cat', '/etc/resolv.conf']);
      expect(Buffer.from(out.stdout).toString()).toContain('nameserver 10.96.0.10\n');
    } finally {
      await h.stop();
    }
  });

  it('reports MissingClusterDNS on a ClusterFirst pod when the node has no cluster DNS', async () => {
    const h = await startPodHarness({ kubelet: { resolvConf: '' } });
    try {
      await h.kubelet.start();
      await h.createPod('nodns', {
        containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }],
      });
      const events = await until(async () => {
        const list = await h.events('nodns');
        return list.some((e) => e.startsWith('MissingClusterDNS:')) ? list : undefined;
      }, 'a MissingClusterDNS event');
      expect(events.find((e) => e.startsWith('MissingClusterDNS:'))).toContain(
        'Falling back to "Default" policy.',
      );
    } finally {
      await h.stop();
    }
  });
});
