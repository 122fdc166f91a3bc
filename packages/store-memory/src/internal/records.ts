import { crc32 } from 'node:zlib';

import { ApiError } from '@tugboat/core';

/**
 * The on-disk record framing shared by the log and the snapshot: one line per record,
 * `<crc32 of the JSON, 8 hex digits> <JSON>\n`. JSON text never holds a raw newline, so a line
 * boundary is a record boundary, and the checksum catches torn or flipped bytes.
 */
export function encodeRecord(record: unknown): string {
  const json = JSON.stringify(record);
  return `${hex(crc32(json))} ${json}\n`;
}

/** A record read back, with the byte offset where its line starts. */
export interface ReadRecord {
  readonly offset: number;
  readonly value: unknown;
}

/** What {@link readRecords} found: the good records and, when the file ends torn, where. */
export interface ReadResult {
  readonly records: ReadRecord[];
  /** Offset of a torn final record to truncate at, if any. */
  readonly tornAt?: number;
}

/**
 * Parses every record in `data`. A bad record that is the last one in the file (no newline, bad
 * checksum or bad JSON, with nothing valid after it) is reported as torn: that is what a crash in
 * the middle of an append leaves. A bad record with records after it is corruption and throws
 * `Internal`, naming `file` and the offset, because dropping it would silently lose later writes.
 */
export function readRecords(data: Buffer, file: string, allowTornTail: boolean): ReadResult {
  const records: ReadRecord[] = [];
  let offset = 0;
  while (offset < data.length) {
    const newline = data.indexOf(0x0a, offset);
    const end = newline < 0 ? data.length : newline;
    const value = parseLine(data.subarray(offset, end));
    if (value === bad) {
      const rest = newline < 0 ? Buffer.alloc(0) : data.subarray(newline + 1);
      if (allowTornTail && isBlankTail(rest)) return { records, tornAt: offset };
      throw corrupt(file, offset, newline < 0 ? 'truncated record' : 'checksum or format mismatch');
    }
    if (newline < 0) {
      if (allowTornTail) return { records, tornAt: offset };
      throw corrupt(file, offset, 'record without a line end');
    }
    records.push({ offset, value });
    offset = newline + 1;
  }
  return { records };
}

/** The `Internal` error for a damaged file, naming it and the offset. */
export function corrupt(file: string, offset: number, why: string): ApiError {
  return new ApiError(
    'Internal',
    `store-memory: data file ${file} is corrupt at byte offset ${offset} (${why}); refusing to start rather than lose data`,
  );
}

const bad = Symbol('bad');

function parseLine(line: Buffer): unknown {
  if (line.length < 10 || line[8] !== 0x20) return bad;
  const json = line.subarray(9);
  if (line.toString('latin1', 0, 8) !== hex(crc32(json))) return bad;
  try {
    return JSON.parse(json.toString('utf8')) as unknown;
  } catch {
    return bad;
  }
}

/** True when only a partial line or zero fill follows (no further complete record). */
function isBlankTail(rest: Buffer): boolean {
  return rest.indexOf(0x0a) < 0 || rest.every((b) => b === 0 || b === 0x0a);
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
