import { createHash } from 'node:crypto';

import { tarBuffer } from './rootfsLayer.js';

/** What goes into an image's config besides its single layer. */
export interface OciImageSpec {
  /** Fully qualified reference, e.g. `docker.io/library/busybox:1.35`. */
  readonly ref: string;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly env: readonly string[];
  readonly workingDir?: string;
}

/** An OCI image-layout archive in memory, with the digests a caller may want to check. */
export interface OciArchive {
  readonly tar: Buffer;
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly layerDigest: string;
}

const created = '2024-01-01T00:00:00Z';

function digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * Packs one single-layer image as an OCI image-layout tar (`oci-layout`, `index.json`,
 * `blobs/sha256/*`). The index entry carries the reference both as
 * `org.opencontainers.image.ref.name` and as containerd's `io.containerd.image.name`, so
 * `ctr images import` names the image without `--base-name`.
 */
export async function ociArchive(layer: Buffer, spec: OciImageSpec): Promise<OciArchive> {
  const layerDigest = digest(layer);
  const config = Buffer.from(
    JSON.stringify({
      created,
      architecture: 'amd64',
      os: 'linux',
      config: {
        Env: spec.env,
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.cmd ? { Cmd: spec.cmd } : {}),
        WorkingDir: spec.workingDir ?? '/',
      },
      rootfs: { type: 'layers', diff_ids: [layerDigest] },
      history: [{ created, created_by: 'tugboat buildImages (Debian busybox-static)' }],
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
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length },
      ],
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
          annotations: {
            'org.opencontainers.image.ref.name': spec.ref,
            'io.containerd.image.name': spec.ref,
          },
        },
      ],
    }),
  );
  const blob = (d: string): string => `blobs/sha256/${d.slice('sha256:'.length)}`;
  const tar = await tarBuffer([
    { header: { name: 'blobs/', type: 'directory', mode: 0o755 } },
    { header: { name: 'blobs/sha256/', type: 'directory', mode: 0o755 } },
    { header: { name: blob(layerDigest), type: 'file', mode: 0o644 }, body: layer },
    { header: { name: blob(configDigest), type: 'file', mode: 0o644 }, body: config },
    { header: { name: blob(manifestDigest), type: 'file', mode: 0o644 }, body: manifest },
    {
      header: { name: 'oci-layout', type: 'file', mode: 0o644 },
      body: Buffer.from('{"imageLayoutVersion":"1.0.0"}'),
    },
    { header: { name: 'index.json', type: 'file', mode: 0o644 }, body: index },
  ]);
  return { tar, manifestDigest, configDigest, layerDigest };
}
