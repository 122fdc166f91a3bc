import { open, stat, type FileHandle } from 'node:fs/promises';

import { ApiError } from '@tugboat/core';

const chunkBytes = 64 * 1024;
// One call hands back about this much at most, so a huge log streams instead of filling memory.
const batchBytes = 1024 * 1024;

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Reads a container's CRI log file line by line as it grows. A file that does not exist yet reads
 * as empty (the runtime creates it on the first write); a file replaced under the same path
 * (rotation) is drained and the new one read from its start; a file truncated in place is read
 * again from its start.
 */
export class LogFileReader {
  private handle: FileHandle | undefined;
  private ino = -1;
  private offset = 0;
  private rest: Buffer = Buffer.alloc(0);

  constructor(readonly path: string) {}

  /**
   * Positions the reader at the start of the last `lines` complete lines of the current file
   * (upstream's tail: counted from the end in blocks, never reading the whole file).
   */
  async seekTail(lines: number): Promise<void> {
    if (this.handle === undefined && !(await this.openCurrent())) return;
    const h = this.handle as FileHandle;
    const size = (await h.stat()).size;
    let newlines = 0;
    let pos = size;
    const buf = Buffer.allocUnsafe(chunkBytes);
    while (pos > 0) {
      const start = Math.max(0, pos - chunkBytes);
      const { bytesRead } = await h.read(buf, 0, pos - start, start).catch((err: unknown) => {
        throw this.error(err);
      });
      for (let i = bytesRead - 1; i >= 0; i--) {
        // The first newline found ends the last complete line; the one after the wanted lines ends the line before them.
        if (buf[i] === 10 && ++newlines === lines + 1) {
          this.offset = start + i + 1;
          this.rest = Buffer.alloc(0);
          return;
        }
      }
      pos = start;
    }
    this.offset = 0;
    this.rest = Buffer.alloc(0);
  }

  /** The next complete lines written (without their newlines); empty when there are none yet. */
  async readLines(): Promise<string[]> {
    if (this.handle === undefined && !(await this.openCurrent())) return [];
    const lines = await this.drain();
    if (lines.length > 0) return lines;
    // Nothing new: the file may have been replaced or truncated meanwhile.
    const current = await stat(this.path).catch((err: unknown) => {
      if (isMissing(err)) return undefined;
      throw this.error(err);
    });
    if (current === undefined) return [];
    if (current.ino !== this.ino) {
      await this.close();
      if (!(await this.openCurrent())) return [];
      return this.drain();
    }
    if (current.size < this.offset) {
      this.offset = 0;
      this.rest = Buffer.alloc(0);
      return this.drain();
    }
    return [];
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    this.rest = Buffer.alloc(0);
    await h?.close().catch(() => undefined);
  }

  private async openCurrent(): Promise<boolean> {
    try {
      this.handle = await open(this.path, 'r');
      this.ino = (await this.handle.stat()).ino;
      this.offset = 0;
      this.rest = Buffer.alloc(0);
      return true;
    } catch (err) {
      await this.close();
      if (isMissing(err)) return false;
      throw this.error(err);
    }
  }

  private async drain(): Promise<string[]> {
    const h = this.handle;
    if (h === undefined) return [];
    const parts: Buffer[] = [this.rest];
    let read = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(chunkBytes);
      let bytesRead: number;
      try {
        ({ bytesRead } = await h.read(buf, 0, chunkBytes, this.offset));
      } catch (err) {
        throw this.error(err);
      }
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      read += bytesRead;
      parts.push(buf.subarray(0, bytesRead));
      if (read >= batchBytes && buf.subarray(0, bytesRead).includes(10)) break;
    }
    const all = Buffer.concat(parts);
    const lines: string[] = [];
    let start = 0;
    for (let nl = all.indexOf(10, start); nl >= 0; nl = all.indexOf(10, start)) {
      lines.push(all.toString('utf8', start, nl));
      start = nl + 1;
    }
    this.rest = Buffer.from(all.subarray(start));
    return lines;
  }

  private error(err: unknown): ApiError {
    return new ApiError(
      'Internal',
      `failed to read container log ${this.path}: ${String(err)}`,
      {},
      { cause: err },
    );
  }
}
