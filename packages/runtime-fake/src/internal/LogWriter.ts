import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import { ApiError, formatCriLogLine } from '@tugboat/core';

import type { FakeClock } from '../FakeClock.js';

/**
 * Writes a simulated container's output to its log file in CRI format, as containerd does: one
 * entry per complete line (tag `F`), a trailing partial line flushed when the process ends. The file
 * and its directory are created on the first write, so silent containers cost no file.
 */
export class LogWriter {
  private readonly partial = { stdout: '', stderr: '' };
  private ready = false;

  constructor(
    readonly file: string,
    private readonly clock: FakeClock,
  ) {}

  write(stream: 'stdout' | 'stderr', text: string): void {
    const parts = (this.partial[stream] + text).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    if (parts.length > 0)
      this.append(parts.map((line) => formatCriLogLine(this.clock.now(), stream, line)).join(''));
  }

  /** Writes what is left of unterminated lines. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] === '') continue;
      const line = this.partial[stream];
      this.partial[stream] = '';
      this.append(formatCriLogLine(this.clock.now(), stream, line));
    }
  }

  private append(text: string): void {
    try {
      if (!this.ready) {
        mkdirSync(path.dirname(this.file), { recursive: true });
        this.ready = true;
      }
      // Synchronous on purpose: keeps lines in order across streams without a write queue.
      appendFileSync(this.file, text);
    } catch (err) {
      throw new ApiError('Internal', `cannot write container log ${this.file}`, {}, { cause: err });
    }
  }
}
