import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

import { ApiError } from '@tugboat/core';
import { pack as tarPack, type Header } from 'tar-stream';

const run = promisify(execFile);

/** A fixed mtime keeps the layer byte-identical across builds, so image digests are stable. */
const epoch = new Date('2024-01-01T00:00:00Z');

const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const group = 'root:x:0:\nnogroup:x:65534:\n';

/**
 * Builds the busybox root filesystem as an uncompressed tar: `/bin/busybox`, one symlink per applet
 * at the path `busybox --list-full` names, `/etc/passwd`, `/etc/group` and the usual empty
 * directories (`/tmp` world-writable). The same bytes serve as the OCI layer and as the tar for
 * `docker import`.
 */
export async function rootfsLayer(busyboxPath = '/bin/busybox'): Promise<Buffer> {
  let binary: Buffer;
  let applets: string[];
  try {
    binary = await readFile(busyboxPath);
    const { stdout } = await run(busyboxPath, ['--list-full']);
    applets = stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && l !== 'bin/busybox');
  } catch (err) {
    throw new ApiError(
      'Unavailable',
      `cannot read busybox at ${busyboxPath} (apt-get install busybox-static)`,
      {},
      { cause: err },
    );
  }

  const dirs = new Set([
    'bin',
    'dev',
    'etc',
    'proc',
    'root',
    'sys',
    'tmp',
    'var',
    'usr',
    'usr/bin',
    'usr/sbin',
    'sbin',
  ]);
  for (const applet of applets) {
    const parts = applet.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }

  const entries: TarEntry[] = [];
  for (const dir of [...dirs].sort()) {
    entries.push({ header: { name: `${dir}/`, type: 'directory', mode: dir === 'tmp' ? 0o1777 : 0o755 } });
  }
  entries.push({ header: { name: 'bin/busybox', type: 'file', mode: 0o755 }, body: binary });
  entries.push({ header: { name: 'etc/passwd', type: 'file', mode: 0o644 }, body: Buffer.from(passwd) });
  entries.push({ header: { name: 'etc/group', type: 'file', mode: 0o644 }, body: Buffer.from(group) });
  for (const applet of [...new Set(applets)].sort()) {
    entries.push({ header: { name: applet, type: 'symlink', linkname: '/bin/busybox', mode: 0o777 } });
  }
  return tarBuffer(entries);
}

/** One entry to pack: what varies per entry; owner, group and mtime are fixed by {@link tarBuffer}. */
export interface TarEntry {
  readonly header: {
    readonly name: string;
    readonly type: 'file' | 'directory' | 'symlink';
    readonly mode: number;
    readonly linkname?: string;
  };
  readonly body?: Buffer;
}

/** Packs entries (all owned by root, with the fixed mtime) into one tar buffer. */
export async function tarBuffer(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    pack.on('error', reject);
  });
  for (const { header, body } of entries) {
    // tar-stream fills in size and the rest; its type lists every field as required.
    const full = { ...header, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: epoch } as Header;
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => {
        if (err) reject(err);
        else resolve();
      };
      if (body) pack.entry(full, body, cb);
      else pack.entry(full, cb);
    });
  }
  pack.finalize();
  return done;
}
