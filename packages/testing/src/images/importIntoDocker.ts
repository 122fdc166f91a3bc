import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

import type Docker from 'dockerode';
import { ApiError, normalizeImageRef } from '@tugboat/core';

import type { BuiltImage, BuiltImages } from './buildImages.js';

const digestLabel = 'io.tugboat.import-digest';
const timeoutMs = 120_000;

async function withTimeout<T>(what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      run(controller.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new ApiError('Timeout', `${what}: the Docker Engine did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
  } catch (err) {
    if (ApiError.is(err)) throw err;
    const code = (err as { code?: string }).code;
    const unavailable = code === 'ECONNREFUSED' || code === 'ENOENT';
    throw new ApiError(
      unavailable ? 'Unavailable' : 'Internal',
      `${what}: ${err instanceof Error ? err.message : String(err)}`,
      {},
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Docker's own spelling of a reference: `docker.io/library/busybox:1.35` is `busybox:1.35`. */
function dockerName(ref: string): { repo: string; tag: string } {
  const full = normalizeImageRef(ref).replace(/^docker\.io\/(library\/)?/, '');
  const colon = full.lastIndexOf(':');
  return { repo: full.slice(0, colon), tag: full.slice(colon + 1) };
}

async function importDigest(image: BuiltImage): Promise<string> {
  const hash = createHash('sha256').update(await readFile(image.rootfsTar));
  for (const change of image.dockerImportChanges) hash.update(`\n${change}`);
  return hash.digest('hex');
}

async function importOne(docker: Docker, image: BuiltImage): Promise<void> {
  const { repo, tag } = dockerName(image.ref);
  const digest = await importDigest(image);
  const what = `importing ${image.ref} into Docker`;
  const existing = await withTimeout(what, () => docker.getImage(`${repo}:${tag}`).inspect()).catch(
    (err: unknown) => {
      if ((err as { cause?: { statusCode?: number } }).cause?.statusCode === 404) return undefined;
      throw err;
    },
  );
  const labels = existing?.Config.Labels as Readonly<Record<string, string>> | null | undefined;
  if (labels?.[digestLabel] === digest) return;
  await withTimeout(what, async (signal) => {
    const stream = await docker.importImage(createReadStream(image.rootfsTar), {
      repo,
      tag,
      changes: [...image.dockerImportChanges, `LABEL ${digestLabel}=${digest}`],
      abortSignal: signal,
    });
    // The Engine answers 200 and reports a failed import inside the progress stream.
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null) => {
        if (err) reject(err);
        else resolve();
      });
    });
  });
}

/**
 * Imports the built images into a Docker Engine through its API (`POST /images/create?fromSrc=-`,
 * what `docker import` does), from the plain rootfs tar with the image's ENV/ENTRYPOINT/CMD, because
 * Docker 20.10 cannot load OCI layouts. Idempotent: an image already imported from the same rootfs
 * and changes (recorded in a label) is left alone.
 */
export async function importIntoDocker(docker: Docker, images: BuiltImages): Promise<void> {
  for (const image of [images.busybox, images.pause]) await importOne(docker, image);
}
