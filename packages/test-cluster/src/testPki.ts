import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

import { ClusterPki } from '@tugboat/apiserver';
import { ApiError } from '@tugboat/core';

let cached: Promise<ClusterPki> | undefined;

/**
 * The directory the shared test PKI lives in: `<os.tmpdir()>/tugboat-test-pki-<user>`. One per
 * user, so that a machine's users never share (or fight over) a CA key.
 */
export function testPkiDir(): string {
  return join(tmpdir(), `tugboat-test-pki-${safeUser()}`);
}

/**
 * The PKI every test cluster of this machine shares: a test CA, a serving certificate for
 * 127.0.0.1/localhost, the admin client certificate and the ServiceAccount signing key. Generated
 * at first use into {@link testPkiDir} (about 100–300 ms, once per machine, not per cluster) and
 * loaded from there afterwards; held in memory per module instance. It is a test CA: never
 * trust it outside tests.
 */
export function testPki(): Promise<ClusterPki> {
  cached ??= loadOrGenerate().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function loadOrGenerate(): Promise<ClusterPki> {
  const dir = testPkiDir();
  if (existsSync(dir)) {
    try {
      return await ClusterPki.loadOrCreate({ dir });
    } catch {
      // A damaged shared PKI is left for the user to inspect; this process makes its own.
      return ClusterPki.loadOrCreate({ dir: await mkdtemp(join(tmpdir(), 'tugboat-test-pki-own-')) });
    }
  }
  // Generated aside and renamed into place, so parallel jest workers never see a half-written PKI.
  const fresh = await mkdtemp(join(tmpdir(), 'tugboat-test-pki-new-'));
  try {
    await ClusterPki.loadOrCreate({ dir: fresh });
    await rename(fresh, dir).catch(async () => {
      // Another worker won the race; its PKI is as good as ours.
      await rm(fresh, { recursive: true, force: true });
    });
    return await ClusterPki.loadOrCreate({ dir: existsSync(dir) ? dir : fresh });
  } catch (err) {
    throw new ApiError(
      'Internal',
      `could not create the test PKI in ${dir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^A-Za-z0-9_.-]/g, '_');
  } catch {
    return String(process.getuid?.() ?? 'user');
  }
}
