import { createSocket } from 'node:dgram';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApiClient } from '@tugboat/core';
import dnsPacket, { type DecodedPacket as Decoded } from 'dns-packet';

/** A decoded reply; dns-packet decodes `rcode` but its types leave it out. */
type DecodedPacket = Decoded & { readonly rcode: string };

import { ClusterDns } from '../src/index.js';
import { controlPlane, createService, setEndpoints, until } from './harness.js';

const ns = 'default';

function query(port: number, name: string, type: 'A' | 'AAAA' = 'A'): Promise<DecodedPacket> {
  const socket = createSocket('udp4');
  return new Promise<DecodedPacket>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('no DNS answer'));
    }, 2000);
    socket.once('message', (msg) => {
      clearTimeout(timer);
      resolve(dnsPacket.decode(msg) as DecodedPacket);
    });
    socket.send(
      dnsPacket.encode({
        type: 'query',
        id: 7,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type, name }],
      }),
      port,
      '127.0.0.1',
    );
  }).finally(() => socket.close());
}

describe('ClusterDns', () => {
  let api: ApiClient;
  let stopPlane: () => Promise<void>;
  let dns: ClusterDns;

  beforeAll(async () => {
    ({ api, stop: stopPlane } = await controlPlane('127.63.0.0/16'));
    dns = new ClusterDns({ client: api, port: 0 });
    await dns.start();
  });

  afterAll(async () => {
    await dns.stop();
    await stopPlane();
  });

  it('answers A records for <svc>.<ns>.svc.cluster.local with the cluster IP', async () => {
    const svc = await createService(api, ns, 'web', { ports: [{ name: 'http', port: 80 }] });
    const answer = await until(async () => {
      const r = await query(dns.port, 'web.default.svc.cluster.local');
      return r.rcode === 'NOERROR' ? r : undefined;
    }, 'web resolves');
    expect(answer.id).toBe(7);
    expect(answer.flag_aa).toBe(true);
    expect(answer.answers).toEqual([
      expect.objectContaining({
        type: 'A',
        name: 'web.default.svc.cluster.local',
        data: svc.spec?.clusterIP,
      }),
    ]);
  });

  it('answers the ready endpoint addresses for a headless Service', async () => {
    await createService(api, ns, 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] });
    await setEndpoints(api, ns, 'db', [{ name: 'one', port: 5432 }], 'pg');
    const answer = await until(async () => {
      const r = await query(dns.port, 'db.default.svc.cluster.local');
      return r.answers?.length ? r : undefined;
    }, 'db resolves');
    expect(answer.answers?.map((x) => (x as { data?: unknown }).data)).toEqual(['127.0.0.1']);
  });

  it('says NXDOMAIN for unknown names and answers no records for other types', async () => {
    expect((await query(dns.port, 'nope.default.svc.cluster.local')).rcode).toBe('NXDOMAIN');
    expect((await query(dns.port, 'example.com')).rcode).toBe('NXDOMAIN');
    await until(
      async () =>
        (await query(dns.port, 'web.default.svc.cluster.local')).rcode === 'NOERROR' ? true : undefined,
      'web resolves',
    );
    const aaaa = await query(dns.port, 'web.default.svc.cluster.local', 'AAAA');
    expect(aaaa.rcode).toBe('NOERROR');
    expect(aaaa.answers).toEqual([]);
  });

  it('fails to start with Unavailable when its port is taken', async () => {
    const second = new ClusterDns({ client: api, port: dns.port });
    try {
      await expect(second.start()).rejects.toMatchObject({ code: 'Unavailable' });
    } finally {
      await second.stop();
    }
  });

  it('answers a malformed query with FORMERR instead of failing', async () => {
    const socket = createSocket('udp4');
    const reply = await new Promise<DecodedPacket>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('no answer'));
      }, 2000);
      socket.once('message', (msg) => {
        clearTimeout(timer);
        resolve(dnsPacket.decode(msg) as DecodedPacket);
      });
      socket.send(Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x05]), dns.port, '127.0.0.1');
    }).finally(() => socket.close());
    expect(reply.id).toBe(0x1234);
    expect(reply.rcode).toBe('FORMERR');
  });
});
