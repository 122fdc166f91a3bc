/**
 * Runs `count` calls of `fn` in batches of 1, 2, 4, … (upstream `slowStartBatch`), stopping after
 * the first batch with a failure so a failing call (a quota, a terminating namespace) is not
 * repeated hundreds of times. Returns how many were attempted and succeeded, and the first error.
 */
export async function slowStartBatch(
  count: number,
  fn: () => Promise<void>,
  initialBatchSize = 1,
): Promise<{ succeeded: number; attempted: number; error?: unknown }> {
  let remaining = count;
  let succeeded = 0;
  let attempted = 0;
  for (let size = Math.min(remaining, initialBatchSize); size > 0; size = Math.min(2 * size, remaining)) {
    attempted += size;
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    succeeded += results.filter((r) => r.status === 'fulfilled').length;
    if (failed !== undefined) return { succeeded, attempted, error: failed.reason };
    remaining -= size;
  }
  return { succeeded, attempted };
}
