import type { KubeObject, ResourceDefinition, StoreEvent } from '@tugboat/core';

import { decode } from './codec.js';
import { takeWritten } from './writtenObjects.js';

/**
 * Decodes a store event once, however many watchers receive it: a store hands the same event
 * object to every watcher of a prefix, so with a thousand HTTP watchers this saves a thousand
 * JSON parses per change. Watchers therefore share the decoded objects; the registry's consumers
 * serialize them (HTTP) or copy them (the in-process client), never mutate them.
 */
export function decoded(def: ResourceDefinition, ev: StoreEvent): DecodedEvent {
  let entry = decodedEvents.get(ev);
  if (entry === undefined || entry.def !== def) {
    entry = new DecodedEvent(def, ev);
    decodedEvents.set(ev, entry);
  }
  return entry;
}

/** A store event's objects, the previous one parsed only when a selector or a delete needs it. */
export class DecodedEvent {
  readonly now: KubeObject;
  private prev: KubeObject | undefined;
  private prevDone = false;

  constructor(
    readonly def: ResourceDefinition,
    private readonly ev: StoreEvent,
  ) {
    // The registry's own write already holds the object: no parse of what it just encoded.
    this.now = takeWritten(def, ev.kv) ?? decode(def, ev.kv);
  }

  get before(): KubeObject | undefined {
    if (!this.prevDone) {
      const p = this.ev.prevKv;
      this.prev = p ? decode(this.def, p, this.ev.kv.modRevision) : undefined;
      this.prevDone = true;
    }
    return this.prev;
  }
}

const decodedEvents = new WeakMap<StoreEvent, DecodedEvent>();
