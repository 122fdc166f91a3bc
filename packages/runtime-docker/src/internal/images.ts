import type Docker from 'dockerode';
import { imagePullError, type AuthConfig, type Image, type ImagePullReason } from '@tugboat/core';

import { withDeadline } from './deadline.js';
import { engineMessage, hasStatus, type CallContext } from './errors.js';
import { familiarImage, isImageId, normalizeImage, qualifyDockerName } from './imageRef.js';

/** How image calls reach the Engine. */
export interface ImageTarget {
  readonly docker: Docker;
  readonly socketPath: string;
  readonly callTimeoutMs: number;
  readonly pullTimeoutMs: number;
}

/** The fully qualified form of `image`, or an `ImagePull`/`InvalidImageName` error. */
export function requireImage(image: string): string {
  return normalizeImage(image);
}

function pullReason(message: string): ImagePullReason {
  if (
    /unauthorized|authentication required|no basic auth credentials|denied: requested access|incorrect username/i.test(
      message,
    )
  ) {
    return /pull access denied/i.test(message) ? 'NotFound' : 'Unauthorized';
  }
  if (/not found|manifest unknown|does not exist|pull access denied|no such image/i.test(message))
    return 'NotFound';
  if (/invalid reference|invalid repository name/i.test(message)) return 'InvalidImageName';
  return 'Unavailable';
}

function toImage(info: {
  Id: string;
  RepoTags?: string[] | null | undefined;
  RepoDigests?: string[] | null | undefined;
  Size: number;
}): Image {
  const tags = (info.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  const digests = (info.RepoDigests ?? []).filter((d) => !d.startsWith('<none>'));
  return {
    id: info.Id,
    repoTags: tags.map(qualifyDockerName),
    repoDigests: digests.map(qualifyDockerName),
    size: info.Size,
  };
}

/** The image, or undefined when the Engine does not have it. */
export async function imageStatus(t: ImageTarget, image: string): Promise<Image | undefined> {
  const full = requireImage(image);
  const ctx: CallContext = { socketPath: t.socketPath, kind: 'image', name: full };
  try {
    const info = await withDeadline(ctx, t.callTimeoutMs, () =>
      t.docker.getImage(isImageId(full) ? full : familiarImage(full)).inspect(),
    );
    return toImage(info);
  } catch (err) {
    if (hasStatus((err as { cause?: unknown }).cause, 404)) return undefined;
    throw err;
  }
}

/** Every tagged or untagged image the Engine holds. */
export async function listImages(t: ImageTarget): Promise<Image[]> {
  const list = await withDeadline({ socketPath: t.socketPath, kind: 'image' }, t.callTimeoutMs, (signal) =>
    t.docker.listImages({ abortSignal: signal }),
  );
  return list.map((i) => toImage(i));
}

/**
 * Pulls `image` from its registry; resolves with the image id. Every failure is `ImagePull`, and a
 * registry that never answers fails at `pullTimeoutMs`, when the request to the Engine is aborted.
 * How a registry is reached is the Engine's own configuration, not the runtime's:
 * 127.0.0.0/8 and `--insecure-registry` hosts are tried over HTTPS without verifying the certificate,
 * then over plain HTTP; a private CA goes in `/etc/docker/certs.d/<host>/ca.crt`; mirrors
 * (`--registry-mirror`) apply to Docker Hub only.
 */
export async function pullImage(t: ImageTarget, image: string, auth?: AuthConfig): Promise<string> {
  const full = requireImage(image);
  const ctx: CallContext = { socketPath: t.socketPath, kind: 'image', name: full };
  const authconfig = auth && {
    ...(auth.username !== undefined ? { username: auth.username } : {}),
    ...(auth.password !== undefined ? { password: auth.password } : {}),
    ...(auth.auth !== undefined ? { auth: auth.auth } : {}),
    ...(auth.serverAddress !== undefined ? { serveraddress: auth.serverAddress } : {}),
    ...(auth.identityToken !== undefined ? { identitytoken: auth.identityToken } : {}),
    ...(auth.registryToken !== undefined ? { registrytoken: auth.registryToken } : {}),
  };
  try {
    await withDeadline(ctx, t.pullTimeoutMs, async (signal) => {
      const opts = { fromImage: full, abortSignal: signal };
      const stream = await (authconfig ? t.docker.createImage(authconfig, opts) : t.docker.createImage(opts));
      // The Engine answers 200 and reports a failed pull inside the progress stream.
      await new Promise<void>((resolve, reject) => {
        t.docker.modem.followProgress(stream, (err: Error | null) => {
          if (err) reject(err);
          else resolve();
        });
      });
    });
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause ?? err;
    const message = engineMessage(cause);
    const reason = (err as { code?: string }).code === 'Unavailable' ? 'Unavailable' : pullReason(message);
    throw imagePullError(full, reason, message, err);
  }
  const found = await imageStatus(t, full);
  if (!found)
    throw imagePullError(full, 'NotFound', 'the pull finished but the Engine does not list the image');
  return found.id;
}

/** Removes `image`; an image that is already gone is fine. */
export async function removeImage(t: ImageTarget, image: string): Promise<void> {
  const full = requireImage(image);
  const ctx: CallContext = { socketPath: t.socketPath, kind: 'image', name: full };
  try {
    await withDeadline(ctx, t.callTimeoutMs, (signal) =>
      t.docker.getImage(isImageId(full) ? full : familiarImage(full)).remove({ abortSignal: signal }),
    );
  } catch (err) {
    if (hasStatus((err as { cause?: unknown }).cause, 404)) return;
    throw err;
  }
}
