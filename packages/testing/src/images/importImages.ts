import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { ApiError } from '@tugboat/core';

import type { BuiltImages } from './buildImages.js';

const run = promisify(execFile);

async function tool(cmd: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, [...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new ApiError(
      'Unavailable',
      `${cmd} ${args.join(' ')} failed: ${stderr.trim() || String(err)}`,
      {},
      { cause: err },
    );
  }
}

/**
 * Imports the built images into containerd (`ctr -a ADDRESS -n NAMESPACE images import`), under
 * their fully qualified names, in namespace `k8s.io` by default so that the CRI plugin sees them.
 */
export async function importIntoContainerd(
  images: BuiltImages,
  options: { address: string; namespace?: string },
): Promise<void> {
  for (const image of [images.busybox, images.pause]) {
    await tool('ctr', [
      '-a',
      options.address,
      '-n',
      options.namespace ?? 'k8s.io',
      'images',
      'import',
      image.ociTar,
    ]);
  }
}
