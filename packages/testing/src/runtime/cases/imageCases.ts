import { expect, it } from '@jest/globals';
import { imagePullReason, normalizeImageRef } from '@tugboat/core';

import type { RuntimeHarness } from '../RuntimeHarness.js';

/**
 * An image no runtime has: its registry (port 1 on loopback) refuses connections at once, so a real
 * pull fails fast and never leaves the machine. The fake runtime's conformance setup declares it
 * unpullable.
 */
export const missingImageRef = '127.0.0.1:1/tugboat/missing:0.0';

/** A reference that does not parse (upper case in the repository path). */
export const invalidImageRef = 'docker.io/library/BUSYBOX:1.35';

/** Image service: status, list, pull errors, remove. */
export function imageCases(harness: () => RuntimeHarness): void {
  it('reports the status of a present image with its reference among the repo tags', async () => {
    const h = harness();
    const image = await h.runtime.imageStatus(h.busybox);
    expect(image).toBeDefined();
    expect(image?.id).not.toBe('');
    expect(image?.repoTags).toContain(normalizeImageRef(h.busybox));
    expect(image?.size).toBeGreaterThan(0);
    const listed = await h.runtime.listImages();
    expect(listed.some((i) => i.id === image?.id)).toBe(true);
  });

  it('reports a missing image as undefined', async () => {
    const h = harness();
    expect(await h.runtime.imageStatus(missingImageRef)).toBeUndefined();
  });

  it('fails to pull a missing image with the typed ImagePull error', async () => {
    const h = harness();
    const err = await h.errorOf(h.runtime.pullImage(missingImageRef));
    expect(err.code).toBe('ImagePull');
    expect(imagePullReason(err)).toBeDefined();
    expect(err.message).toContain(missingImageRef);
  });

  it('rejects an invalid image reference with ImagePull, reason InvalidImageName', async () => {
    const h = harness();
    const err = await h.errorOf(h.runtime.pullImage(invalidImageRef));
    expect(err.code).toBe('ImagePull');
    expect(imagePullReason(err)).toBe('InvalidImageName');
  });

  it('refuses to create a container from an image that is not present, with ImagePull', async () => {
    const h = harness();
    const sb = await h.sandbox();
    const err = await h.errorOf(h.create(sb, { image: missingImageRef, command: ['true'] }));
    expect(err.code).toBe('ImagePull');
    expect(imagePullReason(err)).toBe('NotFound');
    expect(await h.runtime.listContainers({ podSandboxId: sb.id })).toEqual([]);
  });

  it('removes an absent image without error', async () => {
    const h = harness();
    await h.runtime.removeImage(missingImageRef);
  });
}
