import { mkdir, open } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';

import type Docker from 'dockerode';
import type { Logger } from '@tugboat/core';

interface Follower {
  readonly owner: object;
  readonly done: Promise<void>;
  readonly abort: AbortController;
}

// One follower per container in the whole process: two runtime clients on one engine (a reconnect)
// must not both append the same lines.
const followers = new Map<string, Follower>();
const synced = new Set<string>();

/**
 * Writes a container's output to its CRI log file (`<RFC3339Nano> <stream> <F|P> <text>`) by
 * following the Engine's log stream with timestamps. Docker keeps its own copy of the logs, so a
 * follower that starts late (a new client after a restart) resumes after the last line on disk.
 */
export class CriLogs {
  constructor(
    private readonly docker: Docker,
    private readonly logger: Logger,
  ) {}

  /** Starts following `id` into `path` unless this process already does (or did, to the end). */
  ensure(id: string, path: string, tty: boolean): void {
    if (followers.has(id) || synced.has(id)) return;
    const abort = new AbortController();
    const done = this.follow(id, path, tty, abort.signal)
      .then((complete) => {
        if (complete) synced.add(id);
      })
      .catch((err: unknown) => {
        if (!abort.signal.aborted)
          this.logger.warn('following container logs failed', { id, err: String(err) });
      })
      .finally(() => {
        if (followers.get(id) === follower) followers.delete(id);
      });
    const follower: Follower = { owner: this, done, abort };
    followers.set(id, follower);
  }

  /** Resolves once the follower of `id` has written everything (the container exited), or after `ms`. */
  async drained(id: string, ms: number): Promise<void> {
    const f = followers.get(id);
    if (!f) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([f.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** Forgets a removed container. */
  forget(id: string): void {
    followers.get(id)?.abort.abort();
    followers.delete(id);
    synced.delete(id);
  }

  /** Stops the followers this client started. */
  close(): void {
    for (const [id, f] of followers) {
      if (f.owner !== this) continue;
      f.abort.abort();
      followers.delete(id);
    }
  }

  /** Appends the container's output to `path`; true when the stream ended because the container did. */
  private async follow(id: string, path: string, tty: boolean, signal: AbortSignal): Promise<boolean> {
    await mkdir(dirname(path), { recursive: true });
    const last = await lastTimestamp(path);
    const sinceSeconds = last === undefined ? 0 : Math.floor(Date.parse(last) / 1000);
    const raw = await this.docker.getContainer(id).logs({
      follow: true,
      stdout: true,
      stderr: true,
      timestamps: true,
      since: sinceSeconds,
      abortSignal: signal,
    });
    const out = createWriteStream(path, { flags: 'a' });
    const write = (stream: 'stdout' | 'stderr') => (frame: Buffer) => {
      const text = criLines(frame.toString('utf8'), stream, last);
      if (text) out.write(text);
    };
    const finished = new Promise<void>((resolve, reject) => {
      raw.on('end', resolve);
      raw.on('close', resolve);
      raw.on('error', reject);
    });
    if (tty) {
      let pending = '';
      raw.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        const cut = pending.lastIndexOf('\n');
        if (cut < 0) return;
        for (const line of pending
          .slice(0, cut + 1)
          .split('\n')
          .slice(0, -1))
          write('stdout')(Buffer.from(`${line}\n`));
        pending = pending.slice(cut + 1);
      });
    } else {
      this.docker.modem.demuxStream(raw, frameSink(write('stdout')), frameSink(write('stderr')));
    }
    try {
      await finished;
    } finally {
      await new Promise<void>((resolve) => out.end(resolve));
    }
    // A stream also ends when the Engine restarts; only a stopped container's log is complete.
    try {
      const info = await this.docker
        .getContainer(id)
        .inspect({ abortSignal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]) });
      return !info.State.Running;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return true; // removed meanwhile
      throw err;
    }
  }
}

function frameSink(onFrame: (frame: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      onFrame(chunk);
      callback();
    },
  });
}

/**
 * Converts one Docker log frame (`<timestamp> <text>`, one message) to CRI lines. A message without
 * a trailing newline is a partial line (`P`), as Docker splits lines over 16 KiB.
 */
export function criLines(frame: string, stream: 'stdout' | 'stderr', after?: string): string {
  const space = frame.indexOf(' ');
  if (space < 0) return '';
  const ts = frame.slice(0, space);
  if (after !== undefined && ts <= after) return '';
  const parts = frame.slice(space + 1).split('\n');
  const tail = parts.pop() ?? '';
  let out = '';
  for (const p of parts) out += `${ts} ${stream} F ${p}\n`;
  if (tail) out += `${ts} ${stream} P ${tail}\n`;
  return out;
}

async function lastTimestamp(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    const lines = buf
      .toString('utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const line = lines[lines.length - 1];
    return line?.slice(0, line.indexOf(' '));
  } finally {
    await handle.close();
  }
}
