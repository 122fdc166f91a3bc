import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import type { ApiError, Logger, StoreEvent } from '@tugboat/core';

import { fsError } from './fsError.js';
import { releaseLock, snapshotFile, walFileName, type LoadedDataDir } from './loadDataDir.js';
import type { Mvcc } from './Mvcc.js';
import { encodeRecord } from './records.js';

/** When appended records reach the disk: see {@link MemoryStoreOptions.fsync}. */
export type FsyncPolicy = 'batch' | 'none';

interface Pending {
  readonly line: string;
  readonly event: StoreEvent | undefined;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** How the journal reports back to the store. */
export interface JournalHooks {
  /** Called in revision order once the events' records are durable. */
  readonly onDurable: (events: StoreEvent[]) => void;
  /** Called once when a write to disk fails: the store must stop, its disk state is the truth. */
  readonly onFailure: (error: ApiError) => void;
}

/**
 * The append-only log of a persistent store, with group commit: records appended in one tick (and
 * while a flush is in flight) are written with one `write` and one `fdatasync`, and each append's
 * promise resolves only after that. Every `snapshotEvery` records it writes a snapshot at the last
 * durable revision and starts a new log, so a restart replays at most that many records.
 */
export class Journal {
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private failed: ApiError | undefined;
  private durableRevision: number;

  private constructor(
    private readonly dir: string,
    private handle: FileHandle,
    private walFiles: string[],
    private recordsInWal: number,
    private readonly mvcc: Mvcc,
    private readonly fsync: FsyncPolicy,
    private readonly snapshotEvery: number,
    private readonly hooks: JournalHooks,
    private readonly logger: Logger,
  ) {
    this.durableRevision = mvcc.revision;
  }

  /** Opens the newest log of a loaded data directory for appending. */
  static async open(
    dir: string,
    loaded: LoadedDataDir,
    mvcc: Mvcc,
    options: { fsync: FsyncPolicy; snapshotEvery: number; logger: Logger },
    hooks: JournalHooks,
  ): Promise<Journal> {
    const current = loaded.walFiles.at(-1) ?? join(dir, walFileName(mvcc.revision + 1));
    const handle = await openAppend(current);
    await syncDir(dir);
    return new Journal(
      dir,
      handle,
      [...loaded.walFiles],
      loaded.recordsInLastWal,
      mvcc,
      options.fsync,
      options.snapshotEvery,
      hooks,
      options.logger,
    );
  }

  /** Appends `record`; resolves once it is durable, after `event` (if any) went to `onDurable`. */
  append(record: unknown, event: StoreEvent | undefined): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line: encodeRecord(record), event, resolve, reject });
      if (!this.scheduled && this.flushing === undefined) {
        this.scheduled = true;
        // One macrotask of delay gathers every write issued in this tick into one fsync.
        setImmediate(() => void this.startFlush());
      }
    });
  }

  /** Writes what is pending, then closes the log and releases the lock. */
  async close(): Promise<void> {
    while (this.pending.length > 0 || this.flushing !== undefined) {
      await (this.flushing ?? this.startFlush());
    }
    await this.handle.close().catch(() => undefined);
    await releaseLock(this.dir);
  }

  private startFlush(): Promise<void> {
    this.scheduled = false;
    this.flushing ??= this.flushLoop()
      .catch((error: unknown) => {
        this.fail(fsError(error, 'append to', this.dir), []);
      })
      .finally(() => {
        this.flushing = undefined;
        // An append that landed after the loop's last check but before this callback needs a flush.
        if (this.pending.length > 0 && this.failed === undefined && !this.scheduled) {
          this.scheduled = true;
          setImmediate(() => void this.startFlush());
        }
      });
    return this.flushing;
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0 && this.failed === undefined) {
      const batch = this.pending;
      this.pending = [];
      try {
        await writeAll(this.handle, batch.map((p) => p.line).join(''));
        if (this.fsync === 'batch') await this.handle.datasync();
      } catch (error) {
        this.fail(fsError(error, 'append to', this.walFiles.at(-1) ?? this.dir), batch);
        return;
      }
      this.recordsInWal += batch.length;
      const events: StoreEvent[] = [];
      for (const p of batch) if (p.event !== undefined) events.push(p.event);
      const last = events.at(-1);
      if (last !== undefined) this.durableRevision = last.kv.modRevision;
      this.hooks.onDurable(events);
      for (const p of batch) p.resolve();
      if (this.recordsInWal >= this.snapshotEvery) {
        try {
          await this.rotate();
        } catch (error) {
          this.fail(fsError(error, 'snapshot into', this.dir), []);
          return;
        }
      }
    }
  }

  /** Snapshot at the durable revision, then a fresh log; older logs go once the snapshot is safe. */
  private async rotate(): Promise<void> {
    const revision = this.durableRevision;
    // An explicit compaction past the durable point leaves no readable state to snapshot yet.
    if (this.mvcc.compactRevision > revision) return;
    const items = this.mvcc.snapshotAt(revision);
    const lines = [
      encodeRecord({ format: 'tugboat-store-snapshot', version: 1, revision, count: items.length }),
    ];
    for (const kv of items) lines.push(encodeRecord([kv.key, kv.value, kv.createRevision, kv.modRevision]));
    const target = join(this.dir, snapshotFile);
    const temp = `${target}.tmp`;
    const tempHandle = await open(temp, 'w');
    try {
      await writeAll(tempHandle, lines.join(''));
      await tempHandle.sync();
    } finally {
      await tempHandle.close();
    }
    await rename(temp, target);
    const next = join(this.dir, walFileName(revision + 1));
    const nextHandle = await openAppend(next);
    await syncDir(this.dir);
    const old = this.walFiles;
    await this.handle.close();
    this.handle = nextHandle;
    this.walFiles = [next];
    this.recordsInWal = 0;
    for (const file of old) if (file !== next) await rm(file, { force: true });
    this.logger.debug('store-memory: wrote snapshot', { revision, keys: items.length });
  }

  private fail(error: ApiError, batch: Pending[]): void {
    this.failed = error;
    this.logger.error('store-memory: disk write failed; the store stops accepting requests', {
      error: String(error),
    });
    for (const p of [...batch, ...this.pending]) p.reject(error);
    this.pending = [];
    this.hooks.onFailure(error);
  }
}

async function openAppend(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'a');
  } catch (error) {
    throw fsError(error, 'open log', file);
  }
}

async function writeAll(handle: FileHandle, text: string): Promise<void> {
  const data = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/** Makes a created or renamed file's directory entry durable. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
