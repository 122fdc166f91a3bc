import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { importIntoContainerd } from './importImages.js';
import { importIntoDocker } from './importIntoDocker.js';
import { ociArchive, type OciImageSpec } from './ociArchive.js';
import { rootfsLayer } from './rootfsLayer.js';

/** One locally built image: where its files are and what `docker import` needs to recreate it. */
export interface BuiltImage {
  /** Fully qualified reference, as CRI normalises it. */
  readonly ref: string;
  /** OCI image-layout tar, for `ctr -n k8s.io images import` or `skopeo copy oci-archive:…`. */
  readonly ociTar: string;
  /** Plain root filesystem tar, for `docker import`. */
  readonly rootfsTar: string;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly env: readonly string[];
  /** `--change` instructions for `docker import` (ENV, ENTRYPOINT, CMD) that match the OCI config. */
  readonly dockerImportChanges: readonly string[];
  /** Digest of the OCI manifest (stable across builds). */
  readonly manifestDigest: string;
}

/** The images Tugboat's tests run: busybox and the sandbox (pause) image. */
export interface BuiltImages {
  readonly busybox: BuiltImage;
  readonly pause: BuiltImage;
}

/** Options for {@link buildImages}. */
export interface BuildImagesOptions {
  /** Output directory; default `$TUG_IMAGES_DIR`, else `.images` at the repository root. */
  readonly dir?: string;
  /** The static busybox binary; default `/bin/busybox` (Debian's busybox-static). */
  readonly busybox?: string;
}

const pathEnv = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The busybox image: `sh` by default, like the upstream image of the same name. */
export const busyboxImageRef = 'docker.io/library/busybox:1.35';
/** The sandbox image: sleeps until SIGTERM, then exits 0. */
export const pauseImageRef = 'docker.io/tugboat/pause:1.0';

const specs: { readonly busybox: OciImageSpec; readonly pause: OciImageSpec } = {
  busybox: { ref: busyboxImageRef, cmd: ['sh'], env: [pathEnv] },
  pause: {
    ref: pauseImageRef,
    // `sleep & wait` because sh runs traps only between commands: wait returns on the signal at once.
    entrypoint: ['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait; done'],
    env: [pathEnv],
  },
};

function defaultDir(): string {
  const fromEnv = process.env['TUG_IMAGES_DIR'];
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../.images');
}

/** Writes `data` to `file` unless it already holds exactly those bytes (atomically, via rename). */
async function writeIfChanged(file: string, data: Buffer): Promise<void> {
  const existing = await readFile(file).catch(() => undefined);
  if (existing && sha(existing) === sha(data)) return;
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

function sha(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function dockerChanges(spec: OciImageSpec): string[] {
  return [
    ...spec.env.map((e) => `ENV ${e}`),
    ...(spec.entrypoint ? [`ENTRYPOINT ${JSON.stringify(spec.entrypoint)}`] : []),
    ...(spec.cmd ? [`CMD ${JSON.stringify(spec.cmd)}`] : []),
  ];
}

/**
 * Builds the test images from Debian's busybox-static, with no registry: an OCI image-layout tar
 * per image plus one plain rootfs tar for `docker import`. Idempotent: the output is byte-identical
 * across runs and files are rewritten only when they differ.
 */
export async function buildImages(options: BuildImagesOptions = {}): Promise<BuiltImages> {
  const dir = options.dir ?? defaultDir();
  await mkdir(dir, { recursive: true });
  const layer = await rootfsLayer(options.busybox);
  const rootfsTar = path.join(dir, 'busybox-rootfs.tar');
  await writeIfChanged(rootfsTar, layer);

  const build = async (file: string, spec: OciImageSpec): Promise<BuiltImage> => {
    const archive = await ociArchive(layer, spec);
    const ociTar = path.join(dir, file);
    await writeIfChanged(ociTar, archive.tar);
    return {
      ref: spec.ref,
      ociTar,
      rootfsTar,
      ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
      ...(spec.cmd ? { cmd: spec.cmd } : {}),
      env: spec.env,
      dockerImportChanges: dockerChanges(spec),
      manifestDigest: archive.manifestDigest,
    };
  };
  return {
    busybox: await build('busybox-1.35.oci.tar', specs.busybox),
    pause: await build('pause-1.0.oci.tar', specs.pause),
  };
}

// Runnable as a script: `npx tsx packages/testing/src/images/buildImages.ts [--containerd SOCKET]
// [--docker SOCKET]` builds, optionally imports, and prints the result as JSON.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const flag = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const main = async (): Promise<void> => {
    const images = await buildImages();
    const containerd = flag('--containerd');
    const docker = flag('--docker');
    if (containerd) await importIntoContainerd(images, { address: containerd });
    if (docker) {
      const { default: Docker } = await import('dockerode');
      await importIntoDocker(new Docker({ socketPath: docker.replace(/^unix:\/\//, '') }), images);
    }
    process.stdout.write(`${JSON.stringify(images, null, 2)}\n`);
  };
  main().catch((err: unknown) => {
    process.stderr.write(`buildImages failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
