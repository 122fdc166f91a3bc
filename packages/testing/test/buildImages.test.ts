import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { extract, type Header } from 'tar-stream';

import { buildImages, type BuiltImages } from '../src/index.js';

const run = promisify(execFile);

async function readTar(data: Buffer): Promise<Map<string, { header: Header; body: Buffer }>> {
  const entries = new Map<string, { header: Header; body: Buffer }>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        entries.set(header.name, { header, body: Buffer.concat(chunks) });
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(data);
  await done;
  return entries;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

interface OciContents {
  readonly annotations: Record<string, string>;
  readonly config: {
    config: { Cmd?: string[]; Entrypoint?: string[]; Env: string[] };
    rootfs: { diff_ids: string[] };
  };
  readonly layer: Buffer;
  readonly manifestDigest: string;
}

async function openOci(file: string): Promise<OciContents> {
  const tar = await readTar(await readFile(file));
  const blob = (digest: string): Buffer => {
    const entry = tar.get(`blobs/sha256/${digest.slice('sha256:'.length)}`);
    if (!entry) throw new Error(`missing blob ${digest}`);
    expect(sha256(entry.body)).toBe(digest);
    return entry.body;
  };
  expect(JSON.parse(tar.get('oci-layout')?.body.toString() ?? '{}')).toEqual({ imageLayoutVersion: '1.0.0' });
  interface Descriptor {
    digest: string;
    annotations: Record<string, string>;
  }
  const index = JSON.parse(tar.get('index.json')?.body.toString() ?? '{}') as { manifests: Descriptor[] };
  const desc = index.manifests[0];
  if (!desc) throw new Error('index.json lists no manifest');
  const manifest = JSON.parse(blob(desc.digest).toString()) as { config: Descriptor; layers: Descriptor[] };
  const config = JSON.parse(blob(manifest.config.digest).toString()) as OciContents['config'];
  const layer = blob(manifest.layers[0]?.digest ?? '');
  return { annotations: desc.annotations, config, layer, manifestDigest: desc.digest };
}

describe('buildImages', () => {
  let dir = '';
  let images: BuiltImages;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tug-images-'));
    images = await buildImages({ dir });
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the images with fully qualified references in the OCI index', async () => {
    expect(images.busybox.ref).toBe('docker.io/library/busybox:1.35');
    expect(images.pause.ref).toBe('docker.io/tugboat/pause:1.0');
    for (const image of [images.busybox, images.pause]) {
      const oci = await openOci(image.ociTar);
      expect(oci.annotations['org.opencontainers.image.ref.name']).toBe(image.ref);
      expect(oci.manifestDigest).toBe(image.manifestDigest);
    }
  });

  it('gives busybox Cmd sh and the pause image an entrypoint that waits for SIGTERM', async () => {
    const busybox = await openOci(images.busybox.ociTar);
    expect(busybox.config.config.Cmd).toEqual(['sh']);
    expect(busybox.config.config.Env.some((e) => e.startsWith('PATH=') && e.includes('/bin'))).toBe(true);
    expect(busybox.config.rootfs.diff_ids).toEqual([sha256(busybox.layer)]);
    const pause = await openOci(images.pause.ociTar);
    expect(pause.config.config.Entrypoint?.join(' ')).toContain('trap "exit 0" TERM');
    expect(images.pause.dockerImportChanges).toContain(
      `ENTRYPOINT ${JSON.stringify(images.pause.entrypoint)}`,
    );
  });

  it('packs busybox with a symlink per applet, passwd, group and a world-writable /tmp', async () => {
    const layer = await readTar((await openOci(images.busybox.ociTar)).layer);
    expect(layer.get('bin/busybox')?.header.mode).toBe(0o755);
    for (const applet of [
      'bin/sh',
      'bin/echo',
      'bin/sleep',
      'bin/cat',
      'usr/bin/env',
      'usr/bin/head',
      'usr/bin/tail',
      'usr/sbin/httpd',
    ]) {
      expect(layer.get(applet)?.header).toMatchObject({ type: 'symlink', linkname: '/bin/busybox' });
    }
    expect(layer.get('etc/passwd')?.body.toString()).toMatch(/^root:x:0:0:/);
    expect(layer.get('etc/group')?.body.toString()).toMatch(/^root:x:0:/);
    expect(layer.get('tmp/')?.header.mode).toBe(0o1777);
    expect(
      (await readFile(images.busybox.rootfsTar)).equals((await openOci(images.busybox.ociTar)).layer),
    ).toBe(true);
  });

  it('is idempotent: a second build yields the same digests and rewrites nothing', async () => {
    const before = (await stat(images.busybox.ociTar)).mtimeMs;
    const again = await buildImages({ dir });
    expect(again.busybox.manifestDigest).toBe(images.busybox.manifestDigest);
    expect(again.pause.manifestDigest).toBe(images.pause.manifestDigest);
    expect((await stat(images.busybox.ociTar)).mtimeMs).toBe(before);
  }, 60_000);

  it('produces a root filesystem whose shell runs (chroot)', async () => {
    const root = path.join(dir, 'rootfs');
    await run('mkdir', ['-p', root]);
    await run('tar', ['-xf', images.busybox.rootfsTar, '-C', root]);
    const { stdout } = await run(
      'chroot',
      [root, '/bin/sh', '-c', 'echo hi from $(id -un); head -c 5 /etc/passwd'],
      { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } },
    );
    expect(stdout).toBe('hi from root\nroot:');
  });

  it('fails with a clear error when busybox is missing', async () => {
    await expect(buildImages({ dir, busybox: '/nonexistent/busybox' })).rejects.toMatchObject({
      code: 'Unavailable',
    });
  });
});
