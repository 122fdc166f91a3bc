import { ApiError } from '@tugboat/core';

import { type CallContext, translateError } from './errors.js';

/**
 * Runs one Engine call under a deadline: the call gets an AbortSignal that fires when `ms` pass, and
 * the returned promise settles by then whatever the socket does. Every error comes back translated.
 */
export async function withDeadline<T>(
  ctx: CallContext,
  ms: number,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      const what = ctx.name ? ` (${ctx.kind} ${ctx.name})` : '';
      reject(
        new ApiError(
          'Timeout',
          `Docker Engine at unix://${ctx.socketPath} did not answer within ${ms} ms${what}`,
        ),
      );
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), expired]);
  } catch (err) {
    throw translateError(err, ctx);
  } finally {
    clearTimeout(timer);
  }
}
