import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ApiError, imagePullReason } from '@tugboat/core';
import { buildTestImage, freePorts, startRegistry, type TestRegistry } from '@tugboat/testing';

import { ContainerdRuntime, defaultRegistryConfigPath, writeRegistryHosts } from '../src/index.js';
import { containerdWithImages } from './containerdDaemon.js';

jest.setTimeout(90_000);

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (ApiError.is(err)) return err;
    throw new Error(`expected an ApiError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected the call to fail');
}

describe('writeRegistryHosts', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tug-hosts-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the server, its CA and mirrors in the order they are tried', async () => {
    const file = await writeRegistryHosts(dir, 'registry.example:5000', {
      server: 'https://registry.example:5000',
      caPem: 'CA-PEM',
      mirrors: [{ url: 'http://127.0.0.1:6000' }, { url: 'https://mirror.example', skipVerify: true }],
    });
    expect(file).toBe(path.join(dir, 'registry.example:5000', 'hosts.toml'));
    const toml = await readFile(file, 'utf8');
    expect(toml).toMatch(/^server = "https:\/\/registry.example:5000"/);
    const order = ['http://127.0.0.1:6000', 'https://mirror.example', 'https://registry.example:5000'].map(
      (u) => toml.indexOf(`[host."${u}"]`),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(toml).toContain('skip_verify = true');
    expect(await readFile(path.join(dir, 'registry.example:5000', 'ca.crt'), 'utf8')).toBe('CA-PEM');
  });

  it('rejects a bad host or URL with Invalid and writes nothing', async () => {
    expect((await rejection(writeRegistryHosts(dir, 'bad/host', {}))).code).toBe('Invalid');
    expect((await rejection(writeRegistryHosts(dir, 'ok:1', { server: 'ftp://x' }))).code).toBe('Invalid');
    expect((await rejection(writeRegistryHosts(dir, 'ok:2', { mirrors: [{ url: 'not a url' }] }))).code).toBe(
      'Invalid',
    );
    await expect(readFile(path.join(dir, 'ok:1', 'hosts.toml'))).rejects.toThrow();
  });
});

describe('containerd registry configuration on a real containerd', () => {
  let socket = '';
  let mirror: TestRegistry | undefined;
  const hosts: string[] = [];
  const runtimes: ContainerdRuntime[] = [];

  beforeAll(async () => {
    socket = (await containerdWithImages()).socket;
    mirror = await startRegistry();
  }, 120_000);

  afterAll(async () => {
    for (const r of runtimes) await r.close();
    await mirror?.stop();
    for (const h of hosts)
      await rm(path.join(defaultRegistryConfigPath, h), { recursive: true, force: true });
  });

  it('pulls through a mirror while the registry itself is down, configured through the runtime options', async () => {
    const m = mirror as TestRegistry;
    const [port] = await freePorts(1);
    const down = `127.0.0.1:${port ?? 1}`;
    hosts.push(down);
    const img = await buildTestImage({ dir: m.dir });
    // The mirror serves the repository under the same name the pulled reference uses.
    await m.pushImage(img.archive, 'tugboat-test/mirrored:1');
    const runtime = new ContainerdRuntime({
      socket,
      registries: { [down]: { server: `http://${down}`, mirrors: [{ url: m.url }] } },
    });
    runtimes.push(runtime);
    const ref = `${down}/tugboat-test/mirrored:1`;
    try {
      expect(await runtime.pullImage(ref)).toBe(img.configDigest);
      expect((await runtime.imageStatus(ref))?.repoTags).toContain(ref);
    } finally {
      await runtime.removeImage(ref);
    }
  });

  it('fails pulls with Invalid when the configured registries cannot be written', async () => {
    const runtime = new ContainerdRuntime({ socket, registries: { 'not a host': { server: 'http://x' } } });
    runtimes.push(runtime);
    const err = await rejection(runtime.pullImage('127.0.0.1:1/tugboat/none:1'));
    expect(err.code).toBe('Invalid');
    expect(err.message).toContain('not a host');
  });

  it('applies a changed hosts.toml to the next pull without a restart', async () => {
    const m = mirror as TestRegistry;
    const img = await buildTestImage({ dir: m.dir });
    const { ref } = await m.pushImage(img.archive, 'tugboat-test/reconfigured:1');
    hosts.push(m.host);
    const runtime = new ContainerdRuntime({ socket });
    runtimes.push(runtime);
    // Pointed at a dead port first: the pull fails … (port 1, where nothing listens: a port that
    // was merely free a moment ago may be taken by another suite's server meanwhile)
    await writeRegistryHosts(defaultRegistryConfigPath, m.host, { server: 'http://127.0.0.1:1' });
    expect(imagePullReason(await rejection(runtime.pullImage(ref)))).toBe('Unavailable');
    // … and once the file names the real server, the very next pull succeeds.
    await writeRegistryHosts(defaultRegistryConfigPath, m.host, { server: m.url });
    try {
      expect(await runtime.pullImage(ref)).toBe(img.configDigest);
    } finally {
      await runtime.removeImage(ref);
    }
  });
});
