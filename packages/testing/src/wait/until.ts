/**
 * Polls `probe` until it returns something other than `undefined`, or fails at the deadline with
 * `what` and the last error the probe threw. The way tests wait for a condition without sleeping.
 */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what = 'condition',
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what} not met before the deadline${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 10));
  }
}
