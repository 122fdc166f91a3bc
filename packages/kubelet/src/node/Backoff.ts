import { ApiError } from '@tugboat/core';

/**
 * An exponential retry delay, as upstream's node lease controller uses: 200 ms doubling to 7 s,
 * back to the start after a success.
 */
export class Backoff {
  private current: number;

  constructor(
    private readonly initialMs = 200,
    private readonly maxMs = 7_000,
  ) {
    this.current = initialMs;
  }

  /** The delay before the next attempt; each call doubles the following one. */
  next(): number {
    const delay = this.current;
    this.current = Math.min(this.maxMs, this.current * 2);
    return delay;
  }

  reset(): void {
    this.current = this.initialMs;
  }
}

/**
 * True for failures worth retrying: a lost or overloaded apiserver, a timeout, a conflicting
 * write, and anything that is not an ApiError (a dropped connection). Invalid or forbidden
 * requests fail the same way every time.
 */
export function isTransient(err: unknown): boolean {
  if (!ApiError.is(err)) return true;
  return ['Unavailable', 'Timeout', 'Internal', 'TooManyRequests', 'Conflict', 'Gone'].includes(err.code);
}

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
