import { access, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ApiError } from '@tugboat/core';

import {
  buildTestImage,
  startRegistry,
  startSilentServer,
  type TestImage,
  type TestRegistry,
} from '../src/index.js';

jest.setTimeout(60_000);

const creds = { username: 'alice', password: 'wonder-land' };

function basic(u: string, p: string): string {
  return `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
}

/** GET over HTTPS trusting only `ca`; resolves with the status code. */
function getTls(url: string, ca: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (ApiError.is(err)) return err;
    throw new Error(`expected an ApiError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected the call to fail');
}

describe('startRegistry (Debian docker-registry on loopback)', () => {
  let dir = '';
  let image: TestImage;
  const started: TestRegistry[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tug-registry-test-'));
    image = await buildTestImage({ dir });
  });

  afterAll(async () => {
    for (const r of started) await r.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves plain HTTP on a loopback port and stores what skopeo pushes, under the pushed digest', async () => {
    const reg = await startRegistry();
    started.push(reg);
    expect(reg.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(reg.url).toBe(`http://${reg.host}`);
    const pushed = await reg.pushImage(image.archive, 'tugboat/plain:1');
    expect(pushed.ref).toBe(`${reg.host}/tugboat/plain:1`);
    expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const tags = (await (await fetch(`${reg.url}/v2/tugboat/plain/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags).toEqual(['1']);
    const manifest = await fetch(`${reg.url}/v2/tugboat/plain/manifests/${pushed.digest}`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(manifest.status).toBe(200);
    const body = (await manifest.json()) as { config: { digest: string } };
    expect(body.config.digest).toBe(image.configDigest);
  });

  it('requires basic auth over TLS with a CA of its own', async () => {
    const reg = await startRegistry({ tls: true, auth: creds });
    started.push(reg);
    expect(reg.url).toBe(`https://${reg.host}`);
    expect(reg.caPem).toContain('BEGIN CERTIFICATE');
    const ca = reg.caPem ?? '';
    expect(await getTls(`${reg.url}/v2/`, ca)).toBe(401);
    expect(await getTls(`${reg.url}/v2/`, ca, { authorization: basic(creds.username, 'nope') })).toBe(401);
    expect(await getTls(`${reg.url}/v2/`, ca, { authorization: basic(creds.username, creds.password) })).toBe(
      200,
    );
    // An untrusting client is refused: the certificate really chains to the generated CA only.
    await expect(fetch(`${reg.url}/v2/`)).rejects.toThrow();
    const pushed = await reg.pushImage(image.archive, `${reg.host}/tugboat/secure:2`);
    expect(pushed.ref).toBe(`${reg.host}/tugboat/secure:2`);
  });

  it('stops the registry and deletes its directory; stop is idempotent', async () => {
    const reg = await startRegistry();
    await reg.stop();
    await reg.stop();
    await expect(access(reg.dir)).rejects.toThrow();
    await expect(fetch(`${reg.url}/v2/`)).rejects.toThrow();
  });

  it("reports a push of a missing archive as Unavailable with skopeo's message", async () => {
    const reg = await startRegistry();
    started.push(reg);
    const err = await rejection(reg.pushImage(path.join(dir, 'missing.tar'), 'tugboat/none:1'));
    expect(err.code).toBe('Unavailable');
    expect(err.message).toContain('missing.tar');
  });

  it('fails with Unavailable when the registry binary cannot run', async () => {
    const err = await rejection(startRegistry({ binary: '/nonexistent/docker-registry' }));
    expect(err.code).toBe('Unavailable');
  });

  it('rejects a username with a colon as Invalid', async () => {
    const err = await rejection(startRegistry({ auth: { username: 'a:b', password: 'x' } }));
    expect(err.code).toBe('Invalid');
  });
});

describe('startSilentServer', () => {
  it('accepts connections and never answers', async () => {
    const server = await startSilentServer();
    try {
      const controller = new AbortController();
      const pending = fetch(`http://${server.host}/v2/`, { signal: controller.signal });
      const deadline = Date.now() + 10_000;
      while (server.accepted() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(server.accepted()).toBe(1);
      controller.abort();
      await expect(pending).rejects.toThrow();
    } finally {
      await server.stop();
    }
  });
});

describe('buildTestImage', () => {
  it('gives every image its own id, and adds a layer of the requested size', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tug-test-image-'));
    try {
      const a = await buildTestImage({ dir });
      const b = await buildTestImage({ dir, marker: 'fixed', extraBytes: 1024 * 1024 });
      const again = await buildTestImage({ dir, marker: 'fixed' });
      expect(a.configDigest).not.toBe(b.configDigest);
      expect(again.marker).toBe('fixed');
      expect(b.size - again.size).toBeGreaterThanOrEqual(1024 * 1024);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
