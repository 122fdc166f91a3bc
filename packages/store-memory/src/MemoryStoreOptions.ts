import { token, type Logger } from '@tugboat/core';

/** Options of a {@link MemoryStore}; every field is optional. */
export interface MemoryStoreOptions {
  /**
   * Directory to persist into (snapshot + append-only log). Created if missing. Without it the
   * store lives in memory only and a restart starts empty.
   */
  readonly dataDir?: string;
  /**
   * How many revisions of history to keep for watches and reads at a past revision (default
   * 10 000). Older history is compacted automatically; asking for it yields `Gone`.
   */
  readonly historyLimit?: number;
  /**
   * When a persistent write is acknowledged. `'batch'` (default): writes issued in the same tick,
   * or while a flush is in flight, share one `write` + `fdatasync`, and each is acknowledged only
   * after it, so every acknowledged write survives a crash or power loss. `'none'`: acknowledged
   * once handed to the operating system: survives the process being killed, not a power loss.
   */
  readonly fsync?: 'batch' | 'none';
  /** Write a snapshot and start a new log after this many log records (default 10 000). */
  readonly snapshotEvery?: number;
  /** Largest value accepted, in UTF-8 bytes (default 16 MiB); larger is `RequestEntityTooLarge`. */
  readonly maxValueBytes?: number;
  /** Where warnings (a dropped torn record, a failed disk write) go; silent by default. */
  readonly logger?: Logger;
}

/** Inversify token for the {@link MemoryStoreOptions} that {@link memoryStoreModule} binds. */
export const MemoryStoreOptions = token<MemoryStoreOptions>('store-memory/MemoryStoreOptions');
