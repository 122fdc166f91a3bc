import { mkdir, open, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';

import { ApiError, type KeyValue, type Logger } from '@tugboat/core';

import { fsError } from './fsError.js';
import type { Mvcc, WriteRecord } from './Mvcc.js';
import { corrupt, readRecords } from './records.js';

/** The snapshot file name; it is replaced atomically by rename. */
export const snapshotFile = 'snapshot.json';
/** The lock file holding the owning process id. */
export const lockFile = 'LOCK';
const walPattern = /^wal-(\d{16})\.log$/;

/** A log file's name for the log that starts at `revision`. */
export function walFileName(revision: number): string {
  return `wal-${String(revision).padStart(16, '0')}.log`;
}

/** What opening a data directory leaves for the journal: the log to append to and the rest. */
export interface LoadedDataDir {
  /** Log files in order; the last is the one to append to (it may not exist yet). */
  readonly walFiles: string[];
  /** Records already in the last log file. */
  readonly recordsInLastWal: number;
}

/**
 * Opens `dir` for `mvcc`: creates it if missing, takes the lock, loads the snapshot and replays
 * every log in revision order. A torn final record in the newest log is cut off (it was never
 * acknowledged); anything else that does not read back exactly is an `Internal` error.
 */
export async function loadDataDir(dir: string, mvcc: Mvcc, logger: Logger): Promise<LoadedDataDir> {
  try {
    await mkdir(dir, { recursive: true });
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw fsError(error, 'use data directory', dir);
  }
  await acquireLock(dir);
  try {
    return await load(dir, mvcc, logger);
  } catch (error) {
    // Leave no lock behind: a retry in this process must see the real error again, not "in use".
    await releaseLock(dir);
    throw error;
  }
}

/** Removes this process's lock on `dir`. */
export async function releaseLock(dir: string): Promise<void> {
  await rm(join(dir, lockFile), { force: true }).catch(() => undefined);
}

async function load(dir: string, mvcc: Mvcc, logger: Logger): Promise<LoadedDataDir> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw fsError(error, 'read data directory', dir);
  }
  if (names.includes(snapshotFile)) await loadSnapshot(join(dir, snapshotFile), mvcc);
  const wals = names
    .map((n) => walPattern.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => join(dir, m[0]));
  const snapshotRevision = mvcc.revision;
  let recordsInLastWal = 0;
  for (const [i, file] of wals.entries()) {
    const last = i === wals.length - 1;
    const data = await readFile(file).catch((error: unknown) => Promise.reject(fsError(error, 'read', file)));
    const { records, tornAt } = readRecords(data, file, last);
    for (const { offset, value } of records) replayRecord(value, mvcc, snapshotRevision, file, offset);
    if (tornAt !== undefined) {
      logger.warn('store-memory: dropping a torn final log record (an unacknowledged write)', {
        file,
        offset: tornAt,
      });
      await truncate(file, tornAt).catch((error: unknown) =>
        Promise.reject(fsError(error, 'truncate', file)),
      );
    }
    if (last) recordsInLastWal = records.length;
  }
  if (wals.length === 0) wals.push(join(dir, walFileName(mvcc.revision + 1)));
  return { walFiles: wals, recordsInLastWal };
}

function replayRecord(
  value: unknown,
  mvcc: Mvcc,
  snapshotRevision: number,
  file: string,
  offset: number,
): void {
  const record = (value ?? {}) as { o?: unknown; r?: unknown; k?: unknown; v?: unknown };
  if (typeof record.r !== 'number' || !Number.isSafeInteger(record.r))
    throw corrupt(file, offset, 'record without a revision');
  if (record.o === 'x') {
    mvcc.compact(record.r);
    return;
  }
  const shapeOk =
    typeof record.k === 'string' &&
    (record.o === 'd' || ((record.o === 'c' || record.o === 'u') && typeof record.v === 'string'));
  if (!shapeOk) throw corrupt(file, offset, 'unknown record type');
  // Logs written before the snapshot still hold revisions the snapshot already contains.
  if (record.r <= snapshotRevision) return;
  try {
    mvcc.replay(record as unknown as WriteRecord);
  } catch (error) {
    throw corrupt(file, offset, error instanceof Error ? error.message : String(error));
  }
}

async function loadSnapshot(file: string, mvcc: Mvcc): Promise<void> {
  const data = await readFile(file).catch((error: unknown) => Promise.reject(fsError(error, 'read', file)));
  const { records } = readRecords(data, file, false);
  const header = records[0]?.value as { format?: unknown; revision?: unknown; count?: unknown } | undefined;
  if (
    header?.format !== 'tugboat-store-snapshot' ||
    typeof header.revision !== 'number' ||
    !Number.isSafeInteger(header.revision) ||
    header.count !== records.length - 1
  ) {
    throw corrupt(file, 0, 'bad snapshot header or item count');
  }
  const items: KeyValue[] = [];
  for (const { offset, value } of records.slice(1)) {
    const [key, val, createRevision, modRevision] = Array.isArray(value) ? (value as unknown[]) : [];
    if (
      typeof key !== 'string' ||
      typeof val !== 'string' ||
      typeof createRevision !== 'number' ||
      typeof modRevision !== 'number' ||
      modRevision > header.revision
    ) {
      throw corrupt(file, offset, 'bad snapshot item');
    }
    items.push({ key, value: val, createRevision, modRevision });
  }
  mvcc.restore(items, header.revision);
}

/** Takes `dir/LOCK` for this process; a lock left by a process that no longer runs is taken over. */
async function acquireLock(dir: string): Promise<void> {
  const path = join(dir, lockFile);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw fsError(error, 'create lock file', path);
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new ApiError(
        'Unavailable',
        `store-memory: data directory ${dir} is in use by process ${owner} (remove ${path} if that process is not a store)`,
      );
    }
    await rm(path, { force: true }).catch((error: unknown) =>
      Promise.reject(fsError(error, 'remove stale lock', path)),
    );
  }
  throw new ApiError('Unavailable', `store-memory: could not lock data directory ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}
