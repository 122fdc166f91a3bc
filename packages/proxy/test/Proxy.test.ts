import { createSocket } from 'node:dgram';
import type { Server } from 'node:http';
import { connect } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApiClient } from '@tugboat/core';

import { Proxy } from '../src/index.js';
import {
  controlPlane,
  createService,
  get,
  namedServer,
  refusingPort,
  setEndpoints,
  until,
} from './harness.js';

const ns = 'default';

interface Endpoint {
  readonly name: string;
  readonly port: number;
}
const nodeAddress = '127.31.0.1';

describe('Proxy', () => {
  let api: ApiClient;
  let stopPlane: () => Promise<void>;
  let proxy: Proxy;
  const servers: Server[] = [];
  let a: Endpoint;
  let b: Endpoint;
  let c: Endpoint;

  beforeAll(async () => {
    ({ api, stop: stopPlane } = await controlPlane('127.61.0.0/16'));
    proxy = new Proxy({ client: api, nodeName: 'node-1', nodeAddress });
    await proxy.start();
    const made = await Promise.all(['a', 'b', 'c'].map((name) => namedServer(name)));
    for (const m of made) servers.push(m.server);
    [a, b, c] = made.map(({ name, port }) => ({ name, port })) as [Endpoint, Endpoint, Endpoint];
  });

  afterAll(async () => {
    await proxy.stop();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    await stopPlane();
  });

  it('forwards connections to a ClusterIP round-robin over the ready endpoints', async () => {
    const svc = await createService(api, ns, 'rr', { ports: [{ name: 'http', port: 80 }] });
    const ip = svc.spec?.clusterIP ?? '';
    expect(ip).toMatch(/^127\.61\./);
    await setEndpoints(api, ns, 'rr', [a, b, c]);
    await until(async () => (await get(ip, 80).catch(() => '')) !== '' || undefined, 'service answers');
    await until(async () => {
      const got = [];
      for (let i = 0; i < 6; i++) got.push(await get(ip, 80));
      const counts = new Map<string, number>();
      for (const g of got) counts.set(g, (counts.get(g) ?? 0) + 1);
      return counts.get('a') === 2 && counts.get('b') === 2 && counts.get('c') === 2 ? true : undefined;
    }, 'every endpoint answers in turn');
  });

  it('stops sending new connections to a removed endpoint while its open connection drains', async () => {
    const svc = await createService(api, ns, 'drain', { ports: [{ name: 'http', port: 80 }] });
    const ip = svc.spec?.clusterIP ?? '';
    await setEndpoints(api, ns, 'drain', [b]);
    await until(async () => ((await get(ip, 80).catch(() => '')) === 'b' ? true : undefined), 'b answers');
    // A long-lived connection to b, kept open across b's removal.
    const held = connect(80, ip);
    await new Promise<void>((r) =>
      held.once('connect', () => {
        r();
      }),
    );
    await setEndpoints(api, ns, 'drain', [a]);
    await until(async () => {
      const got = await Promise.all([get(ip, 80), get(ip, 80), get(ip, 80), get(ip, 80)]);
      return got.every((g) => g === 'a') ? true : undefined;
    }, 'only a answers');
    const reply = await new Promise<string>((resolve, reject) => {
      let body = '';
      held.setEncoding('utf8');
      held.on('data', (d: string) => (body += d));
      held.on('end', () => {
        resolve(body);
      });
      held.on('error', reject);
      held.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1.1 200 OK/);
    expect(reply.endsWith('\r\n\r\nb')).toBe(true);
  });

  it('keeps a client on one endpoint with ClientIP session affinity', async () => {
    const svc = await createService(api, ns, 'sticky', {
      ports: [{ name: 'http', port: 80 }],
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
    });
    const ip = svc.spec?.clusterIP ?? '';
    await setEndpoints(api, ns, 'sticky', [a, b, c]);
    await until(async () => (await get(ip, 80).catch(() => '')) !== '' || undefined, 'service answers');
    const fromOne = await Promise.all(Array.from({ length: 6 }, () => get(ip, 80, '127.0.0.7')));
    expect(new Set(fromOne).size).toBe(1);
    const fromOther = [];
    for (let i = 0; i < 6; i++) fromOther.push(await get(ip, 80, '127.0.0.8'));
    expect(new Set(fromOther).size).toBe(1);
  });

  it('skips an endpoint that refuses connections when another is ready', async () => {
    const dead = await refusingPort();
    const svc = await createService(api, ns, 'refuse', { ports: [{ name: 'http', port: 80 }] });
    const ip = svc.spec?.clusterIP ?? '';
    await setEndpoints(api, ns, 'refuse', [{ name: 'dead', port: dead }, a]);
    await until(async () => (await get(ip, 80).catch(() => '')) === 'a' || undefined, 'service answers');
    const got = await Promise.all(Array.from({ length: 6 }, () => get(ip, 80)));
    expect(got).toEqual(['a', 'a', 'a', 'a', 'a', 'a']);
    expect(await proxy.metrics.text()).toMatch(
      /tugboat_proxy_errors_total\{service="default\/refuse",port="http",reason="refused"\} \d+/,
    );
  });

  it('serves a NodePort Service on the node address', async () => {
    const svc = await createService(api, ns, 'np', { type: 'NodePort', ports: [{ name: 'http', port: 80 }] });
    const nodePort = svc.spec?.ports?.[0]?.nodePort ?? 0;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    await setEndpoints(api, ns, 'np', [c]);
    expect(
      await until(
        async () => (await get(nodeAddress, nodePort).catch(() => '')) || undefined,
        'node port answers',
      ),
    ).toBe('c');
    expect(await get(svc.spec?.clusterIP ?? '', 80)).toBe('c');
    const metrics = await proxy.metrics.text();
    expect(metrics).toMatch(
      /tugboat_proxy_connections_total\{service="default\/np",port="http",protocol="TCP"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /tugboat_proxy_bytes_total\{service="default\/np",port="http",direction="out"\} [1-9]/,
    );
  });

  it('closes a client connection when no endpoint is ready, and counts it', async () => {
    const svc = await createService(api, ns, 'empty', { ports: [{ name: 'http', port: 80 }] });
    const ip = svc.spec?.clusterIP ?? '';
    await until(() => (proxy.listeners.includes(`TCP/${ip}:80`) ? true : undefined), 'listening');
    await expect(get(ip, 80)).rejects.toThrow();
    expect(await proxy.metrics.text()).toMatch(
      /tugboat_proxy_errors_total\{service="default\/empty",port="http",reason="no-endpoints"\} [1-9]/,
    );
  });

  it('closes the listener when the Service is deleted', async () => {
    const svc = await createService(api, ns, 'gone', { ports: [{ name: 'http', port: 80 }] });
    const key = `TCP/${svc.spec?.clusterIP ?? ''}:80`;
    await until(() => (proxy.listeners.includes(key) ? true : undefined), 'listening');
    await api.delete(
      { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
      'gone',
      { namespace: ns },
    );
    await until(() => (proxy.listeners.includes(key) ? undefined : true), 'listener closed');
  });

  it('forwards UDP datagrams and their replies', async () => {
    const echo = createSocket('udp4');
    echo.on('message', (msg, rinfo) => {
      echo.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
    const client = createSocket('udp4');
    try {
      const svc = await createService(api, ns, 'udp', {
        ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
      });
      await setEndpoints(
        api,
        ns,
        'udp',
        [{ name: 'echo', port: echo.address().port, protocol: 'UDP' }],
        'dns',
      );
      const ip = svc.spec?.clusterIP ?? '';
      const reply = await until(
        () =>
          new Promise<string | undefined>((resolve) => {
            const t = setTimeout(() => {
              resolve(undefined);
            }, 200);
            client.once('message', (m) => {
              clearTimeout(t);
              resolve(m.toString());
            });
            client.send('hello', 53, ip);
          }),
        'UDP reply',
      );
      expect(reply).toBe('echo:hello');
    } finally {
      client.close();
      echo.close();
    }
  });
});
