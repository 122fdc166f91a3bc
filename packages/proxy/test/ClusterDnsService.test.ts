import { connect } from 'node:net';
import { Resolver } from 'node:dns/promises';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resources, type ApiClient } from '@tugboat/core';
import dnsPacket, { type DecodedPacket } from 'dns-packet';

import { ClusterDns, Proxy, ensureClusterDnsService } from '../src/index.js';
import { controlPlane, createService, until } from './harness.js';

/** One A query over TCP (two-byte length prefix); resolves with the decoded answer. */
function queryTcp(port: number, name: string): Promise<DecodedPacket & { rcode: string }> {
  return new Promise((resolve, reject) => {
    const conn = connect(port, '127.0.0.1');
    let buffered = Buffer.alloc(0);
    conn.setTimeout(2000, () => conn.destroy(new Error('no DNS answer over TCP')));
    conn.on('error', reject);
    conn.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        conn.end();
        resolve(dnsPacket.decode(buffered.subarray(2)) as DecodedPacket & { rcode: string });
      }
    });
    const msg = dnsPacket.encode({ type: 'query', id: 9, questions: [{ type: 'A', name }] });
    const length = Buffer.alloc(2);
    length.writeUInt16BE(msg.length);
    // Split in two writes: a server must reassemble a message across reads.
    conn.write(Buffer.concat([length, msg.subarray(0, 5)]));
    setImmediate(() => conn.write(msg.subarray(5)));
  });
}

describe('ClusterDns over TCP, and the kube-dns Service in front of it', () => {
  let api: ApiClient;
  let stopPlane: () => Promise<void>;
  let dns: ClusterDns;
  let proxy: Proxy;

  beforeAll(async () => {
    ({ api, stop: stopPlane } = await controlPlane('127.65.0.0/16'));
    dns = new ClusterDns({ client: api, port: 0 });
    await dns.start();
    proxy = new Proxy({ client: api, nodeName: 'n1', retryMs: 50 });
    await proxy.start();
  });

  afterAll(async () => {
    await proxy.stop();
    await dns.stop();
    await stopPlane();
  });

  it('answers the same names over TCP as over UDP, on the same port', async () => {
    const svc = await createService(api, 'default', 'web', { ports: [{ name: 'http', port: 80 }] });
    const answer = await until(async () => {
      const r = await queryTcp(dns.port, 'web.default.svc.cluster.local');
      return r.rcode === 'NOERROR' ? r : undefined;
    }, 'web resolves over TCP');
    expect(answer.id).toBe(9);
    expect(answer.answers).toEqual([expect.objectContaining({ type: 'A', data: svc.spec?.clusterIP })]);
    expect((await queryTcp(dns.port, 'nope.default.svc.cluster.local')).rcode).toBe('NXDOMAIN');
  });

  it('creates kube-system/kube-dns at the asked address, idempotently, and the proxy serves DNS there', async () => {
    const options = { clusterIp: '127.65.0.10', address: '127.0.0.1', port: dns.port };
    expect(await ensureClusterDnsService(api, options)).toBe('127.65.0.10');
    expect(await ensureClusterDnsService(api, options)).toBe('127.65.0.10');
    const svc = await api.get(resources.Services, 'kube-dns', { namespace: 'kube-system' });
    expect(svc.spec?.ports?.map((p) => `${p.name ?? ''}/${p.protocol ?? ''}/${p.port}`)).toEqual([
      'dns/UDP/53',
      'dns-tcp/TCP/53',
    ]);
    expect(svc.spec?.selector).toBeUndefined();
    await createService(api, 'default', 'db', { ports: [{ name: 'pg', port: 5432 }] });
    const db = await api.get(resources.Services, 'db', { namespace: 'default' });
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers(['127.65.0.10:53']);
    expect(
      await until(() => resolver.resolve4('db.default.svc.cluster.local'), 'db resolves through kube-dns'),
    ).toEqual([db.spec?.clusterIP]);
    expect(proxy.listeners).toEqual(expect.arrayContaining(['TCP/127.65.0.10:53', 'UDP/127.65.0.10:53']));
  });

  it('takes another cluster IP when the asked one is in use', async () => {
    await createService(api, 'default', 'squatter', { clusterIP: '127.65.0.20', ports: [{ port: 1 }] });
    await api.delete(resources.Services, 'kube-dns', { namespace: 'kube-system' });
    const ip = await ensureClusterDnsService(api, {
      clusterIp: '127.65.0.20',
      address: '127.0.0.1',
      port: dns.port,
    });
    expect(ip).toMatch(/^127\.65\./);
    expect(ip).not.toBe('127.65.0.20');
  });
});
