import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { buildImages, importIntoContainerd, type BuiltImages } from '@tugboat/testing';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../../scripts/containerd.sh', import.meta.url));

/**
 * Starts the project's private containerd (idempotent: an already running one is reused and left
 * running for the other suites) and imports the locally built test images into its `k8s.io`
 * namespace. Resolves with the socket and the images.
 */
export async function containerdWithImages(): Promise<{ socket: string; images: BuiltImages }> {
  const { stdout } = await run(script, ['start'], { timeout: 60_000 });
  const socket = stdout.trim();
  const images = await buildImages();
  await importIntoContainerd(images, { address: socket });
  return { socket, images };
}
