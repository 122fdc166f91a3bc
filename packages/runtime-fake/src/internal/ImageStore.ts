import { createHash } from 'node:crypto';

import { imagePullError, normalizeImageRef, type Image } from '@tugboat/core';

/** An image the fake runtime knows, with the config a container starts from. */
export interface FakeImageSpec {
  /** Any spelling; stored normalised (`busybox:1.35` → `docker.io/library/busybox:1.35`). */
  readonly ref: string;
  readonly entrypoint?: readonly string[];
  /** Default `["sh"]`, like busybox. */
  readonly cmd?: readonly string[];
  /** `KEY=value` entries; default a standard PATH. */
  readonly env?: readonly string[];
  readonly workingDir?: string;
  readonly size?: number;
}

/** A stored image: the contract's view plus its config. */
export interface StoredImage {
  readonly image: Image;
  readonly spec: FakeImageSpec;
}

const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The fake runtime's image store: references normalised as CRI does, ids derived from the reference. */
export class ImageStore {
  private readonly byRef = new Map<string, StoredImage>();
  private readonly byId = new Map<string, StoredImage>();
  // Normalising is a regex walk; callers pass the same few spellings over and over.
  private readonly normalised = new Map<string, string>();

  private normalise(ref: string): string {
    let n = this.normalised.get(ref);
    if (n === undefined) {
      n = normalizeImageRef(ref);
      if (this.normalised.size < 10_000) this.normalised.set(ref, n);
    }
    return n;
  }

  /** Adds (or replaces) an image; returns its id. */
  add(spec: FakeImageSpec | string): string {
    const s = typeof spec === 'string' ? { ref: spec } : spec;
    const ref = this.normalise(s.ref);
    const id = `sha256:${createHash('sha256').update(ref).digest('hex')}`;
    const image: Image = { id, repoTags: [ref], repoDigests: [], size: s.size ?? 2_136_064 };
    const stored = { image, spec: { cmd: ['sh'], env: [defaultPath], workingDir: '/', ...s, ref } };
    this.byRef.set(ref, stored);
    this.byId.set(id, stored);
    return id;
  }

  /** Finds an image by reference (any spelling) or id; an invalid reference throws `ImagePull`. */
  find(refOrId: string): StoredImage | undefined {
    if (refOrId.startsWith('sha256:')) return this.byId.get(refOrId);
    return this.byRef.get(this.normalise(refOrId));
  }

  /** Like {@link find}, but a missing image is the typed `ImagePull` error with reason `NotFound`. */
  require(refOrId: string): StoredImage {
    const found = this.find(refOrId);
    if (!found) throw imagePullError(refOrId, 'NotFound', 'not present in the runtime (pull it first)');
    return found;
  }

  list(): Image[] {
    return [...this.byRef.values()].map((i) => i.image);
  }

  remove(refOrId: string): void {
    const found = this.find(refOrId);
    if (!found) return;
    this.byRef.delete(found.spec.ref);
    this.byId.delete(found.image.id);
  }
}
