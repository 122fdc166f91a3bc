import type { StoreEvent } from '@tugboat/core';
import type { Subscriber } from 'rxjs';

/** One open watch: its filter, how far it has been fed, and what awaits delivery. */
export interface Watcher {
  readonly prefix: string;
  /** Only events with a revision above this are for this watcher. */
  readonly after: number;
  readonly subscriber: Subscriber<StoreEvent>;
  buffer: StoreEvent[];
  closed: boolean;
}

/**
 * Fans committed events out to every open watch. Watchers are grouped by prefix, so one event costs
 * one `startsWith` per distinct prefix plus one push per interested watcher. Delivery is decoupled
 * from the write: events go to per-watcher buffers and are handed to subscribers in a microtask,
 * so a write never runs subscriber code and a watcher that unsubscribes mid-delivery stops at once.
 */
export class WatchHub {
  private readonly groups = new Map<string, Set<Watcher>>();
  private dirty: Watcher[] = [];
  private scheduled = false;

  /** Registers `watcher`, first queuing `replay` (the retained events it asked for). */
  add(watcher: Watcher, replay: readonly StoreEvent[]): void {
    let group = this.groups.get(watcher.prefix);
    if (group === undefined) {
      group = new Set();
      this.groups.set(watcher.prefix, group);
    }
    group.add(watcher);
    if (replay.length > 0) {
      watcher.buffer.push(...replay);
      this.markDirty(watcher);
    }
  }

  /** Unregisters `watcher` and drops what it had not yet received. */
  remove(watcher: Watcher): void {
    watcher.closed = true;
    watcher.buffer = [];
    const group = this.groups.get(watcher.prefix);
    if (group === undefined) return;
    group.delete(watcher);
    if (group.size === 0) this.groups.delete(watcher.prefix);
  }

  /** Queues committed `events` (in revision order) for every watcher that wants them. */
  publish(events: readonly StoreEvent[]): void {
    if (this.groups.size === 0) return;
    for (const event of events) {
      const { key, modRevision } = event.kv;
      for (const [prefix, group] of this.groups) {
        if (!key.startsWith(prefix)) continue;
        for (const watcher of group) {
          if (modRevision <= watcher.after) continue;
          if (watcher.buffer.length === 0) this.markDirty(watcher);
          watcher.buffer.push(event);
        }
      }
    }
  }

  /** Delivers everything queued, then ends every watcher: completed, or errored with `error`. */
  endAll(error?: unknown): void {
    this.deliver();
    for (const group of [...this.groups.values()]) {
      for (const watcher of [...group]) {
        this.remove(watcher);
        if (error === undefined) watcher.subscriber.complete();
        else watcher.subscriber.error(error);
      }
    }
  }

  /** Number of open watches. */
  get size(): number {
    let n = 0;
    for (const group of this.groups.values()) n += group.size;
    return n;
  }

  private markDirty(watcher: Watcher): void {
    this.dirty.push(watcher);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.deliver();
      });
    }
  }

  private deliver(): void {
    this.scheduled = false;
    const dirty = this.dirty;
    this.dirty = [];
    for (const watcher of dirty) {
      const batch = watcher.buffer;
      watcher.buffer = [];
      for (const event of batch) {
        if (watcher.closed) break;
        watcher.subscriber.next(event);
      }
    }
  }
}
