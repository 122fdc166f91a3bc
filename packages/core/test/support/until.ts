import { flush } from './FakeClock.js';

/** Polls `cond` (letting promises and I/O callbacks run) until it holds; fails after a generous deadline. */
export async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await flush();
  }
}
