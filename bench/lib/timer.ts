import { performance } from 'node:perf_hooks';

/** Throughput of one measured run: operations, elapsed milliseconds and operations per second. */
export interface Throughput {
  readonly ops: number;
  readonly ms: number;
  readonly opsPerSec: number;
}

/** Runs `op(i)` for i in [0, n) one after another (awaiting each) and measures the throughput. */
export async function measureOps(n: number, op: (i: number) => unknown): Promise<Throughput> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await op(i);
  const ms = performance.now() - start;
  return { ops: n, ms, opsPerSec: (n / ms) * 1000 };
}

/** Runs `n` calls of `op` with `concurrency` of them in flight at once. */
export async function measureConcurrent(
  n: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<Throughput> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await op(next++);
    }),
  );
  const ms = performance.now() - start;
  return { ops: n, ms, opsPerSec: (n / ms) * 1000 };
}

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
export function now(): number {
  return performance.now();
}
