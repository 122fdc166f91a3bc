import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, resources, type ApiClient } from '@tugboat/core';

import { Proxy, ServiceInterface } from '../src/index.js';
import { controlPlane, createService, get, namedServer, setEndpoints, until } from './harness.js';

// A range nothing on this machine routes or holds (checked with `ip route`/`ip addr`); its
// addresses only ever exist on the test's own interface, which every test removes again.
const range = '10.233.0.0/16';
const ns = 'default';

/** The IPv4 addresses on `name` per iproute2, or undefined when there is no such interface. */
function addressesOf(name: string): string[] | undefined {
  try {
    const out = execFileSync('ip', ['-j', '-4', 'addr', 'show', 'dev', name], { stdio: 'pipe' }).toString();
    const links = JSON.parse(out) as { addr_info: { local: string }[] }[];
    return links.flatMap((l) => l.addr_info.map((a) => a.local)).sort();
  } catch {
    return undefined;
  }
}

const interfaces: string[] = [];
/** A fresh interface name (`tug-t` + 6 hex: 11 characters), deleted after the test whatever happens. */
function interfaceName(): string {
  const name = `tug-t${randomBytes(3).toString('hex')}`;
  interfaces.push(name);
  return name;
}

afterEach(() => {
  for (const name of interfaces.splice(0)) {
    try {
      execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' });
    } catch {
      // Already gone: the proxy removed it, as it should.
    }
  }
});

describe('Proxy with a service interface (cluster IPs outside loopback)', () => {
  let api: ApiClient;
  let stopPlane: () => Promise<void>;
  beforeAll(async () => {
    ({ api, stop: stopPlane } = await controlPlane(range));
  });
  afterAll(() => stopPlane());

  it('holds each cluster IP as a /32 while its Service exists, serves it, and removes the interface on stop', async () => {
    const name = interfaceName();
    const proxy = new Proxy({ client: api, nodeName: 'n1', serviceInterface: name, retryMs: 50 });
    const backend = await namedServer('backend-a');
    try {
      await proxy.start();
      expect(addressesOf(name)).toEqual([]);
      const svc = await createService(api, ns, 'web', { ports: [{ name: 'http', port: 80 }] });
      const ip = svc.spec?.clusterIP ?? '';
      expect(ip).toMatch(/^10\.233\./);
      await setEndpoints(api, ns, 'web', [{ name: 'a', port: backend.port }]);
      await until(
        () => (addressesOf(name)?.includes(ip) ? true : undefined),
        'the cluster IP on the interface',
      );
      await until(() => (proxy.listeners.includes(`TCP/${ip}:80`) ? true : undefined), 'the listener');
      expect(await get(ip, 80)).toBe('backend-a');
      expect(proxy.interfaceAddresses).toEqual([ip]);

      await api.delete(resources.Services, 'web', { namespace: ns });
      await until(() => (addressesOf(name)?.includes(ip) ? undefined : true), 'the cluster IP removed');
      expect(proxy.listeners).toEqual([]);
    } finally {
      await proxy.stop();
      backend.server.closeAllConnections();
      await new Promise((r) => backend.server.close(r));
    }
    expect(addressesOf(name)).toBeUndefined();
  });

  it('drops addresses an earlier run left on the interface that no Service has', async () => {
    const name = interfaceName();
    const leftover = new ServiceInterface({ name });
    await leftover.ensure();
    await leftover.add('10.233.200.7');
    const proxy = new Proxy({ client: api, nodeName: 'n1', serviceInterface: name });
    try {
      await proxy.start();
      expect(addressesOf(name)).not.toContain('10.233.200.7');
    } finally {
      await proxy.stop();
    }
  });
});

describe('ServiceInterface: clear errors', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tug-svc-if-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('without iproute2: Unavailable naming the command, and the proxy does not start', async () => {
    const { api, stop } = await controlPlane('127.64.0.0/16');
    const proxy = new Proxy({
      client: api,
      nodeName: 'n1',
      serviceInterface: interfaceName(),
      ipCommand: join(dir, 'no-such-ip'),
    });
    try {
      const err = await proxy.start().catch((e: unknown) => e);
      expect(ApiError.is(err, 'Unavailable')).toBe(true);
      expect((err as Error).message).toBe(
        `cannot manage the service interface ${interfaces[0] ?? ''}: the \`${join(dir, 'no-such-ip')}\` command (iproute2) is not installed`,
      );
    } finally {
      await proxy.stop();
      await stop();
    }
  });

  it('not root: Forbidden saying it needs root (CAP_NET_ADMIN), with the kernel answer', async () => {
    // The real `ip`, run as nobody: exactly what an unprivileged proxy would get.
    const unprivileged = join(dir, 'ip-as-nobody');
    writeFileSync(
      unprivileged,
      '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups ip "$@"\n',
    );
    chmodSync(unprivileged, 0o755);
    const name = interfaceName();
    const err = await new ServiceInterface({ name, ipCommand: unprivileged })
      .ensure()
      .catch((e: unknown) => e);
    expect(ApiError.is(err, 'Forbidden')).toBe(true);
    expect((err as Error).message).toBe(
      `cannot create the service interface ${name}: this needs root (CAP_NET_ADMIN) (RTNETLINK answers: Operation not permitted)`,
    );
    expect(addressesOf(name)).toBeUndefined();
  });

  it('refuses an interface name the kernel would not take', () => {
    expect(() => new ServiceInterface({ name: 'a-name-far-too-long' })).toThrow(
      'service interface name "a-name-far-too-long" is not a valid interface name',
    );
  });
});
