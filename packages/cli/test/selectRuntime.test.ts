import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';
import { ApiError } from '@tugboat/core';

import { selectRuntime, shortReason } from '../src/selectRuntime.js';

// Sockets that cannot answer: paths in an empty directory of our own.
const dir = mkdtempSync(join(tmpdir(), 'tug-runtime-'));
const containerdSocket = join(dir, 'containerd.sock');
const dockerSocket = join(dir, 'docker.sock');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('selectRuntime', () => {
  it('gives the simulation when asked for fake', async () => {
    const { runtime, description } = await selectRuntime({ choice: 'fake', containerdSocket, dockerSocket });
    expect(runtime.name).toBe('fake');
    expect(description).toBe('fake (simulated containers)');
    expect((await runtime.version()).runtimeName).toBe('tugboat-fake');
    await runtime.close();
  });

  it('falls back from containerd to Docker to the simulation under auto, and says why', async () => {
    const { runtime, description } = await selectRuntime({ choice: 'auto', containerdSocket, dockerSocket });
    expect(runtime.name).toBe('fake');
    expect(description).toBe(
      `fake (no containerd at ${containerdSocket}: connect ENOENT; no Docker at ${dockerSocket}: connect ENOENT)`,
    );
    await runtime.close();
  });

  it.each([
    ['containerd', 'containerd', '--containerd-socket', containerdSocket],
    ['docker', 'Docker', '--docker-socket', dockerSocket],
  ] as const)(
    'refuses an explicit %s that does not answer, naming the socket and the fix',
    async (choice, name, flag, socket) => {
      const err = await selectRuntime({ choice, containerdSocket, dockerSocket }).catch((e: unknown) => e);
      expect(ApiError.is(err, 'Unavailable')).toBe(true);
      const message = (err as ApiError).message;
      expect(message).toContain(`${name} does not answer at ${socket} (connect ENOENT)`);
      expect(message).toContain('make daemons');
      expect(message).toContain(flag);
    },
  );
});

describe('shortReason', () => {
  it('reduces a connection failure to its errno', () => {
    expect(
      shortReason(
        new Error(
          'containerd at /x.sock is unavailable (Version): No connection established. Last error: Error: connect ECONNREFUSED /x.sock.',
        ),
      ),
    ).toBe('connect ECONNREFUSED');
    expect(shortReason(new Error('Docker Engine at unix:///x.sock is unavailable (EACCES)'))).toBe(
      'connect EACCES',
    );
  });

  it('keeps other messages, shortened to their first line', () => {
    expect(shortReason(new Error('deadline exceeded\nstack'))).toBe('deadline exceeded');
    expect(shortReason('x'.repeat(300))).toHaveLength(160);
  });
});
