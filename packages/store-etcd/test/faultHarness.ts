import { ApiError, type Store, type StoreEvent } from '@tugboat/core';
import type { Subscription } from 'rxjs';

/** Polls `condition` every 20 ms until it holds; fails with `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A writer creating unique keys in a loop, recording what etcd acknowledged and what failed. */
export class Writer {
  readonly acked = new Map<string, number>();
  readonly failures: ApiError[] = [];
  private stopped = false;
  private done: Promise<void> = Promise.resolve();
  private next = 0;

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
  ) {}

  start(): void {
    this.done = (async () => {
      while (!this.stopped) {
        const key = `${this.prefix}${String(this.next++).padStart(6, '0')}`;
        try {
          const kv = await this.store.create(key, JSON.stringify({ n: this.next }));
          this.acked.set(key, kv.modRevision);
        } catch (err) {
          if (!ApiError.is(err)) throw err;
          this.failures.push(err);
          // Pace retries during an outage without hammering the circuit.
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    })();
  }

  /** Waits for `n` more acknowledged writes. */
  async ackMore(n: number, timeoutMs = 30_000): Promise<void> {
    const target = this.acked.size + n;
    await eventually(`${n} more acknowledged writes`, () => this.acked.size >= target, timeoutMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/** A watch recording every event and any error. */
export class Recorder {
  readonly events: StoreEvent[] = [];
  error: unknown;
  private readonly sub: Subscription;

  constructor(store: Store, prefix: string, afterRevision: number) {
    this.sub = store.watch(prefix, afterRevision).subscribe({
      next: (ev) => this.events.push(ev),
      error: (err: unknown) => (this.error = err),
    });
  }

  /** The revision of the last event seen (0 if none). */
  get lastRevision(): number {
    return this.events.at(-1)?.kv.modRevision ?? 0;
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}

/**
 * Checks a watch against the store after a fault: revisions strictly increase (no duplicate), every
 * acknowledged write was seen at its revision, and the keys seen are exactly the keys stored (no
 * write that committed was missed, acknowledged or not).
 */
export async function expectCompleteHistory(
  store: Store,
  prefix: string,
  recorder: Recorder,
  writer: Writer,
): Promise<string[]> {
  const problems: string[] = [];
  const revisions = recorder.events.map((e) => e.kv.modRevision);
  for (let i = 1; i < revisions.length; i++) {
    if (revisions[i]! <= revisions[i - 1]!)
      problems.push(`revision ${revisions[i]!} after ${revisions[i - 1]!}`);
  }
  const seen = new Map(recorder.events.map((e) => [e.kv.key, e.kv.modRevision]));
  for (const [key, rev] of writer.acked) {
    if (seen.get(key) !== rev)
      problems.push(`acknowledged ${key}@${rev} not seen (seen ${seen.get(key) ?? 'nothing'})`);
  }
  const stored = (await store.list(prefix)).items;
  for (const kv of stored)
    if (!seen.has(kv.key)) problems.push(`stored ${kv.key}@${kv.modRevision} never seen`);
  if (seen.size !== stored.length) problems.push(`saw ${seen.size} keys, store holds ${stored.length}`);
  return problems;
}
