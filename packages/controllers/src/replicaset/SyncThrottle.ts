import { performance } from 'node:perf_hooks';

/** Syncs cheaper than this are never held back: small ReplicaSets react at once. */
const freeMs = 2;
/** After a sync costing `c` ms, the same key waits `factor·c` ms before the next one. */
const factor = 16;

/**
 * Spaces out the syncs of one expensive key. A sync of a ReplicaSet walks all its pods, and every
 * pod event asks for one; with 10k pods and every component on one JavaScript thread, syncing
 * after each event would take the whole thread and starve the scheduler and the kubelets that
 * produce those events. Waiting `factor` times the last sync's cost before the next caps one
 * key's share of the thread at 1/(factor + 1) (the cost is the synchronous walk, not the time
 * spent awaiting writes); events arriving meanwhile are folded into that
 * next sync by the work queue, so nothing is lost, only batched. Go's upstream runs its syncs on
 * other cores and needs no such rule.
 */
export class SyncThrottle {
  private readonly last = new Map<string, { readonly end: number; readonly cost: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Milliseconds `key` should still wait before its next sync (0: go ahead). */
  delay(key: string): number {
    const l = this.last.get(key);
    if (l === undefined || l.cost < freeMs) return 0;
    return Math.max(0, Math.ceil(l.end + factor * l.cost - this.now()));
  }

  /** Records a sync of `key` that just spent `cost` ms of the thread (ms, same clock as `now`). */
  record(key: string, cost: number): void {
    this.last.set(key, { end: this.now(), cost });
  }

  /** Drops what is known about `key` (its object is gone). */
  forget(key: string): void {
    this.last.delete(key);
  }
}
