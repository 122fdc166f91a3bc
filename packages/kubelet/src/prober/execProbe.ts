import { ApiError, type Clock, type Runtime } from '@tugboat/core';

import type { ProbeOutcome } from './ProbeOutcome.js';

/** Output beyond this is cut, as upstream limits what a probe keeps (10 KiB). */
export const maxProbeOutputBytes = 10 * 1024;

/**
 * The exec handler: runs `command` in the container through the runtime; exit code 0 is success,
 * anything else a failure whose output (stdout then stderr) goes into the event. The runtime is
 * given the timeout too, but the deadline is also kept here on the clock, so a runtime that ignores
 * it cannot stall the probe.
 */
export async function execProbe(
  runtime: Runtime,
  clock: Clock,
  containerId: string,
  command: readonly string[],
  timeoutMs: number,
): Promise<ProbeOutcome> {
  if (command.length === 0) return { result: 'error', output: 'exec probe has no command' };
  const timedOut: ProbeOutcome = {
    result: 'failure',
    output: `command ${JSON.stringify(command.join(' '))} timed out`,
  };
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const deadline = new Promise<ProbeOutcome>((resolve) => {
    timer = clock.setTimeout(() => {
      resolve(timedOut);
    }, timeoutMs);
  });
  const call = runtime.execSync(containerId, command, Math.max(1, Math.ceil(timeoutMs / 1000))).then(
    (r): ProbeOutcome => ({
      result: r.exitCode === 0 ? 'success' : 'failure',
      output: truncate(Buffer.concat([Buffer.from(r.stdout), Buffer.from(r.stderr)]).toString('utf8')),
    }),
    (err: unknown): ProbeOutcome =>
      ApiError.is(err, 'Timeout')
        ? timedOut
        : { result: 'error', output: err instanceof Error ? err.message : String(err) },
  );
  try {
    return await Promise.race([call, deadline]);
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
  }
}

function truncate(text: string): string {
  const t = text.length > maxProbeOutputBytes ? text.slice(0, maxProbeOutputBytes) : text;
  return t.trimEnd();
}
