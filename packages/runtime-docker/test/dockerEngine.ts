import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import Docker from 'dockerode';
import { buildImages, importIntoDocker, type BuiltImages } from '@tugboat/testing';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The project's private Docker Engine, started by its own script, with the test images imported. */
export interface TestEngine {
  readonly socketPath: string;
  readonly docker: Docker;
  readonly images: BuiltImages;
}

/** Starts (or reuses) the engine via `scripts/dockerd.sh start` and imports busybox and pause. */
export async function startTestEngine(): Promise<TestEngine> {
  // jest runs test files in parallel workers: one lock keeps two of them from starting two engines.
  const script = path.join(repoRoot, 'scripts/dockerd.sh');
  const lock = path.join(os.tmpdir(), 'tugboat-dockerd.lock');
  const { stdout } = await run('flock', ['-o', lock, 'bash', script, 'start'], { timeout: 60_000 });
  const socketPath = stdout.trim().split('\n').pop() ?? '';
  const docker = new Docker({ socketPath });
  const images = await buildImages();
  await importIntoDocker(docker, images);
  return { socketPath, docker, images };
}
