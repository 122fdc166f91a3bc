import type { KubeObject, ResourceDefinition, Store, StoreEvent } from '@tugboat/core';
import type { Subscription } from 'rxjs';

import { decoded } from './decodedEvent.js';

/** Where a fanned-out watch's events go, and what the fan-out may skip for it. */
export interface FanoutSink {
  /** The key prefix the watch covers (a namespace's, or the whole resource's). */
  readonly prefix: string;
  /** A field its selector requires to equal a value: events whose object never held it are skipped. */
  readonly equality?: { readonly field: string; readonly value: string };
  next(event: StoreEvent): void;
  error(err: unknown): void;
  complete(): void;
}

/** How many recent events a fan-out keeps, so a watch starting a little in the past joins it. */
const retained = 1024;
/** ...holding at most this many characters of JSON: a kind of large objects keeps fewer. */
const retainedChars = 32 * 1024 * 1024;

interface Entry {
  readonly sink: FanoutSink;
  readonly after: number;
}

/**
 * One store watch per resource, shared by every watch of that resource on this server (upstream's
 * watch cache). Each event is decoded once, and a watch whose selector requires a field value —
 * a kubelet's `spec.nodeName=<node>` — is only offered events whose object holds (or held) that
 * value: a hundred kubelets no longer each test every pod event. The fan-out keeps the last
 * {@link retained} events; a watch starting further back reads the store directly and joins the
 * fan-out at its first event the fan-out also has. Nothing is filtered here that the watch's own
 * selection would not also filter: the index only spares it the test.
 */
export class WatchFanout {
  /** Every joined watch; those without an equality are also in `plain`, the others in `indexed`. */
  private readonly joined = new Set<Entry>();
  private readonly plain = new Set<Entry>();
  private readonly indexed = new Map<string, Map<string, Set<Entry>>>();
  private readonly recent: StoreEvent[] = [];
  private recentChars = 0;
  /** Per indexed field, each key's value in the latest version the fan-out saw. */
  private readonly lastValues = new Map<string, Map<string, string>>();
  private source: Subscription | undefined;
  /** Every event above this revision has reached (or is on its way to) the fan-out; Infinity while starting. */
  private coveredFrom = Infinity;
  /** Open watches, joined or still reading the store directly. */
  private users = 0;
  private starting = false;

  constructor(
    private readonly store: Store,
    private readonly def: ResourceDefinition,
    private readonly prefix: string,
    private readonly fieldOf: (obj: KubeObject, field: string) => string,
  ) {}

  /** Feeds `sink` the events under its prefix with a revision above `after`, in order. */
  watch(sink: FanoutSink, after: number): { unsubscribe(): void } {
    let entry: Entry | undefined;
    let direct: Subscription | undefined;
    let closed = false;
    this.users++;
    const join = (from: number): void => {
      entry = { sink, after: from };
      this.add(entry);
      for (const ev of this.recent) {
        if (ev.kv.modRevision > from && ev.kv.key.startsWith(sink.prefix)) sink.next(ev);
      }
    };
    this.ensureStarted();
    if (after >= this.coveredFrom) join(after);
    else {
      // Further back than the fan-out reaches: read the store until an event the fan-out has too.
      direct = this.store.watch(sink.prefix, after).subscribe({
        next: (ev) => {
          sink.next(ev);
          if (closed || entry !== undefined || ev.kv.modRevision < this.coveredFrom) return;
          direct?.unsubscribe();
          direct = undefined;
          join(ev.kv.modRevision);
        },
        error: (err: unknown) => {
          sink.error(err);
        },
        complete: () => {
          sink.complete();
        },
      });
    }
    return {
      unsubscribe: () => {
        if (closed) return;
        closed = true;
        direct?.unsubscribe();
        if (entry !== undefined) this.remove(entry);
        // The last watch gone: stop the store watch rather than keep a copy of every change.
        if (--this.users === 0) this.reset();
      },
    };
  }

  private ensureStarted(): void {
    if (this.source !== undefined || this.starting) return;
    this.starting = true;
    this.store
      .currentRevision()
      .then((from) => {
        this.starting = false;
        if (this.users === 0 || this.source !== undefined) return;
        this.source = this.store.watch(this.prefix, from).subscribe({
          next: (ev) => {
            this.publish(ev);
          },
          error: (err: unknown) => {
            this.end((s) => {
              s.error(err);
            });
          },
          complete: () => {
            this.end((s) => {
              s.complete();
            });
          },
        });
        this.coveredFrom = from;
      })
      .catch(() => {
        // Watches keep reading the store directly; the next watch tries again.
        this.starting = false;
      });
  }

  private publish(ev: StoreEvent): void {
    this.recent.push(ev);
    this.recentChars += sizeOf(ev);
    while (this.recent.length > retained || (this.recentChars > retainedChars && this.recent.length > 1)) {
      const dropped = this.recent.shift() as StoreEvent;
      this.recentChars -= sizeOf(dropped);
      this.coveredFrom = dropped.kv.modRevision;
    }
    const rev = ev.kv.modRevision;
    const key = ev.kv.key;
    const offer = (entry: Entry): void => {
      // Copies are iterated, so a watch ended by an earlier delivery is skipped here.
      if (rev > entry.after && key.startsWith(entry.sink.prefix) && this.joined.has(entry))
        entry.sink.next(ev);
    };
    for (const entry of [...this.plain]) offer(entry);
    if (this.indexed.size === 0) return;
    const d = decoded(this.def, ev);
    for (const [field, byValue] of this.indexed) {
      const now = this.fieldOf(d.now, field);
      let known = this.lastValues.get(field);
      if (known === undefined) this.lastValues.set(field, (known = new Map<string, string>()));
      // The value the previous version held, as this fan-out saw it (no parse of prevKv), unless
      // that version predates the fan-out.
      const before =
        ev.prevKv === undefined ? now : (known.get(key) ?? this.fieldOf(d.before ?? d.now, field));
      if (ev.type === 'delete') known.delete(key);
      else known.set(key, now);
      for (const entry of [...(byValue.get(now) ?? [])]) offer(entry);
      if (before !== now) for (const entry of [...(byValue.get(before) ?? [])]) offer(entry);
    }
  }

  /**
   * Ends every joined watch (the store watch under the fan-out ended); the next watch starts a new
   * one. Watches still reading the store directly go on doing so.
   */
  private end(how: (sink: FanoutSink) => void): void {
    const entries = [...this.joined];
    this.reset();
    for (const e of entries) how(e.sink);
  }

  private reset(): void {
    this.source?.unsubscribe();
    this.source = undefined;
    this.coveredFrom = Infinity;
    this.recent.length = 0;
    this.recentChars = 0;
    this.joined.clear();
    this.plain.clear();
    this.indexed.clear();
    this.lastValues.clear();
  }

  private add(entry: Entry): void {
    this.joined.add(entry);
    const eq = entry.sink.equality;
    if (eq === undefined) {
      this.plain.add(entry);
      return;
    }
    let byValue = this.indexed.get(eq.field);
    if (byValue === undefined) this.indexed.set(eq.field, (byValue = new Map<string, Set<Entry>>()));
    let set = byValue.get(eq.value);
    if (set === undefined) byValue.set(eq.value, (set = new Set<Entry>()));
    set.add(entry);
  }

  private remove(entry: Entry): void {
    if (!this.joined.delete(entry)) return;
    const eq = entry.sink.equality;
    if (eq === undefined) {
      this.plain.delete(entry);
      return;
    }
    const byValue = this.indexed.get(eq.field);
    const set = byValue?.get(eq.value);
    set?.delete(entry);
    if (set?.size === 0) byValue?.delete(eq.value);
    if (byValue?.size === 0) {
      this.indexed.delete(eq.field);
      this.lastValues.delete(eq.field);
    }
  }
}

/** Roughly what a retained event holds on to: its value and previous value (UTF-16 code units). */
function sizeOf(ev: StoreEvent): number {
  return ev.kv.value.length + (ev.prevKv?.value.length ?? 0);
}
