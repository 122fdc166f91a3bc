import { normalizeImageRef } from '@tugboat/core';

/**
 * Image references in both spellings. Docker shows `docker.io/library/busybox:1.35` as
 * `busybox:1.35`; the Runtime contract (like CRI) speaks fully qualified names.
 */
const idRe = /^(?:sha256:)?[a-f0-9]{64}$/;

/** True when `ref` is an image ID (`sha256:…` or 64 hex digits) rather than a name. */
export function isImageId(ref: string): boolean {
  return idRe.test(ref);
}

/**
 * The fully qualified form (`docker.io/library/busybox:1.35`); image IDs stay IDs. Throws the typed
 * `ImagePull` error (reason `InvalidImageName`) for a reference that does not parse.
 */
export function normalizeImage(ref: string): string {
  if (isImageId(ref)) return ref.startsWith('sha256:') ? ref : `sha256:${ref}`;
  return normalizeImageRef(ref);
}

/** The form Docker prints (`busybox:1.35`): the default registry and `library/` dropped. */
export function familiarImage(ref: string): string {
  const full = normalizeImage(ref);
  if (full.startsWith('docker.io/library/')) return full.slice('docker.io/library/'.length);
  if (full.startsWith('docker.io/')) return full.slice('docker.io/'.length);
  return full;
}

/** The fully qualified form of a name Docker printed, or the name itself if it does not parse. */
export function qualifyDockerName(name: string): string {
  try {
    return normalizeImage(name);
  } catch {
    return name;
  }
}
