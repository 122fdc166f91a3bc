import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

import { ApiError, parseCriLogLine, type Clock, type Runtime } from '@tugboat/core';
import { filter, take, type Subscription } from 'rxjs';

import type { LocatedContainer } from './KubeletServer.js';
import { LogFileReader } from './LogFileReader.js';
import type { LogOptions } from './LogOptions.js';
import { formatRfc3339Nano, rfc3339Nanos } from './logTime.js';

/** What {@link writeContainerLogs} needs beside the container and the options. */
export interface LogStreamDeps {
  readonly runtime: Runtime;
  readonly clock: Clock;
  /** How often a followed log is checked for new lines (default 100 ms). */
  readonly pollMs: number;
}

// A missed exit event must not keep a follow open for ever: the container's state is also asked
// for every this many idle polls.
const statusEveryPolls = 10;

/**
 * Streams a container's log to an HTTP response as upstream's kubelet does: the messages of the CRI
 * log file (partial entries joined), filtered by `tailLines` and `since`, prefixed with their
 * RFC3339Nano time when `timestamps`, cut at `limitBytes`. With `follow` on a running container it
 * keeps writing new lines until the container has exited and its log is drained, or the client
 * goes away. The response head is written before the first byte; errors before that are thrown.
 */
export async function writeContainerLogs(
  res: ServerResponse,
  located: LocatedContainer,
  options: LogOptions,
  deps: LogStreamDeps,
): Promise<void> {
  const reader = new LogFileReader(located.logPath);
  // Changed from callbacks, hence an object: the flags must be re-read after every await.
  const state = { exited: !located.running || !options.follow, gone: false };
  let wake: () => void = () => undefined;
  let sub: Subscription | undefined;
  if (!state.exited) {
    sub = deps.runtime.events
      .pipe(
        filter((e) => e.containerId === located.containerId && (e.type === 'exited' || e.type === 'deleted')),
        take(1),
      )
      .subscribe(() => {
        state.exited = true;
        wake();
      });
  }
  const onClose = (): void => {
    state.gone = true;
    wake();
  };
  res.on('close', onClose);
  let budget = options.limitBytes ?? Infinity;
  try {
    if (options.tailLines !== undefined) await reader.seekTail(options.tailLines);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    const emit = async (batch: readonly string[]): Promise<boolean> => {
      const text = render(batch, options);
      if (text === '') return true;
      let out = Buffer.from(text);
      if (out.length >= budget) out = out.subarray(0, budget);
      budget -= out.length;
      if (!res.write(out) && !state.gone) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      return budget > 0 && !state.gone;
    };
    // Writes everything there is now; the number of lines, or undefined once the stream must stop.
    const drain = async (): Promise<number | undefined> => {
      let n = 0;
      for (;;) {
        const lines = await reader.readLines();
        if (lines.length === 0) return n;
        n += lines.length;
        if (!(await emit(lines))) return undefined;
      }
    };
    if ((await drain()) === undefined) return;
    let idle = 0;
    while (!state.exited) {
      await new Promise<void>((resolve) => {
        const timer = deps.clock.setTimeout(done, deps.pollMs);
        function done(): void {
          deps.clock.clearTimeout(timer);
          wake = () => undefined;
          resolve();
        }
        wake = done;
      });
      if (state.gone) return;
      const n = await drain();
      if (n === undefined) return;
      if (n > 0) idle = 0;
      else if (++idle % statusEveryPolls === 0)
        state.exited = !(await isRunning(deps.runtime, located.containerId));
    }
    // What the container wrote before it exited.
    await drain();
  } finally {
    sub?.unsubscribe();
    res.off('close', onClose);
    await reader.close();
    // Before the head is written the caller answers with the error's Status instead.
    if (res.headersSent && !res.writableEnded) res.end();
  }
}

async function isRunning(runtime: Runtime, id: string): Promise<boolean> {
  try {
    return (await runtime.containerStatus(id)).state === 'CONTAINER_RUNNING';
  } catch (err) {
    if (ApiError.is(err, 'NotFound')) return false;
    // The runtime being briefly unreachable is no reason to cut a follow short.
    return true;
  }
}

function render(lines: readonly string[], options: LogOptions): string {
  let out = '';
  for (const raw of lines) {
    const line = parseCriLogLine(raw);
    if (line === undefined) continue;
    if (options.sinceNanos !== undefined) {
      const at = rfc3339Nanos(line.time);
      if (at !== undefined && at < options.sinceNanos) continue;
    }
    if (options.timestamps) out += `${formatRfc3339Nano(line.time)} `;
    out += line.tag === 'F' ? `${line.content}\n` : line.content;
  }
  return out;
}
