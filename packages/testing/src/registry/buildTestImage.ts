import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { rootfsLayer, tarBuffer } from '../images/rootfsLayer.js';

/** Options of {@link buildTestImage}. */
export interface TestImageOptions {
  /** Directory the archive is written to (created if missing). */
  readonly dir: string;
  /**
   * Written into the image's environment (`TUG_IMAGE_MARKER`), which makes its config, and so its
   * image id, unique. Default: a random UUID. A runtime that removes an image removes it by id, so
   * a test that pulled the shared busybox image would delete it for every other test.
   */
  readonly marker?: string;
  /** Adds a second layer holding `/data/random.bin` of this many random bytes. Default 0 (none). */
  readonly extraBytes?: number;
  /** Command the image runs by default. Default `["sh"]`. */
  readonly cmd?: readonly string[];
}

/** A test image packed as an OCI image-layout tar, ready for `skopeo copy oci-archive:…`. */
export interface TestImage {
  /** Path of the OCI image-layout tar. */
  readonly archive: string;
  /** Digest of the image manifest, which the registry serves it under (`name@<digest>`). */
  readonly manifestDigest: string;
  /** Digest of the image config: the image id runtimes report. */
  readonly configDigest: string;
  /** Sum of the layer sizes in bytes. */
  readonly size: number;
  readonly marker: string;
}

const created = '2024-01-01T00:00:00Z';
const pathEnv = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * Builds a busybox image of its own (see {@link TestImageOptions.marker}), optionally with an extra
 * layer of random data to make it as large as a benchmark needs.
 */
export async function buildTestImage(options: TestImageOptions): Promise<TestImage> {
  const marker = options.marker ?? randomUUID();
  const layers = [await rootfsLayer()];
  if ((options.extraBytes ?? 0) > 0) {
    layers.push(
      await tarBuffer([
        { header: { name: 'data/', type: 'directory', mode: 0o755 } },
        {
          header: { name: 'data/random.bin', type: 'file', mode: 0o644 },
          body: randomBytes(options.extraBytes ?? 0),
        },
      ]),
    );
  }
  const layerDigests = layers.map(digest);
  const config = Buffer.from(
    JSON.stringify({
      created,
      architecture: 'amd64',
      os: 'linux',
      config: {
        Env: [pathEnv, `TUG_IMAGE_MARKER=${marker}`],
        Cmd: options.cmd ?? ['sh'],
        WorkingDir: '/',
      },
      rootfs: { type: 'layers', diff_ids: layerDigests },
      history: layers.map(() => ({ created, created_by: 'tugboat buildTestImage' })),
    }),
  );
  const configDigest = digest(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: layers.map((l, i) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: layerDigests[i],
        size: l.length,
      })),
    }),
  );
  const manifestDigest = digest(manifest);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    }),
  );
  const blob = (d: string): string => `blobs/sha256/${d.slice('sha256:'.length)}`;
  const tar = await tarBuffer([
    { header: { name: 'blobs/', type: 'directory', mode: 0o755 } },
    { header: { name: 'blobs/sha256/', type: 'directory', mode: 0o755 } },
    ...layers.map((body, i) => ({
      header: { name: blob(layerDigests[i] ?? ''), type: 'file' as const, mode: 0o644 },
      body,
    })),
    { header: { name: blob(configDigest), type: 'file', mode: 0o644 }, body: config },
    { header: { name: blob(manifestDigest), type: 'file', mode: 0o644 }, body: manifest },
    {
      header: { name: 'oci-layout', type: 'file', mode: 0o644 },
      body: Buffer.from('{"imageLayoutVersion":"1.0.0"}'),
    },
    { header: { name: 'index.json', type: 'file', mode: 0o644 }, body: index },
  ]);
  await mkdir(options.dir, { recursive: true });
  // The marker is the caller's text: the file name uses its hash so any text is safe.
  const archive = path.join(options.dir, `test-image-${digest(Buffer.from(marker)).slice(7, 23)}.oci.tar`);
  await writeFile(archive, tar);
  return {
    archive,
    manifestDigest,
    configDigest,
    size: layers.reduce((n, l) => n + l.length, 0),
    marker,
  };
}
