import { expect } from '@jest/globals';
import { ApiError, type ErrorCode, type Store, type StoreEvent } from '@tugboat/core';
import type { Observable, Subscription } from 'rxjs';

/** What a store conformance factory returns: a fresh, empty store and how to dispose of it. */
export interface StoreConformanceSetup {
  readonly store: Store;
  /** Runs after the store is closed (remove temp directories, stop servers). */
  readonly cleanup?: () => Promise<void>;
}

/** Makes one fresh, empty store; called before every case. */
export type StoreConformanceFactory = () => Promise<StoreConformanceSetup>;

/** What each case gets: the store under test and a way to record that the case closed it. */
export interface StoreCaseContext {
  readonly store: Store;
  /** Closes the store (once); the suite's teardown will not close it again. */
  readonly close: () => Promise<void>;
}

/** How long a case waits for an event before failing with what it saw. */
export const storeWaitMs = 10_000;

/** Runs `action` and asserts it fails with an {@link ApiError} of `code`; returns the error. */
export async function expectApiError(action: () => Promise<unknown>, code: ErrorCode): Promise<ApiError> {
  let caught: unknown;
  let succeeded = false;
  try {
    await action();
    succeeded = true;
  } catch (error) {
    caught = error;
  }
  if (succeeded) throw new Error(`expected ApiError ${code}, but the call succeeded`);
  if (!ApiError.is(caught))
    throw new Error(`expected ApiError ${code}, got ${String(caught)}`, { cause: caught });
  expect(caught.code).toBe(code);
  return caught;
}

/**
 * Subscribes to a watch and records what it emits, so a case can wait (with a deadline) for a
 * number of events, an error or completion.
 */
export class EventCollector {
  readonly events: StoreEvent[] = [];
  error: unknown;
  failed = false;
  completed = false;
  private readonly subscription: Subscription;
  private wake: (() => void) | undefined;

  constructor(watch: Observable<StoreEvent>) {
    this.subscription = watch.subscribe({
      next: (event) => {
        this.events.push(event);
        this.wake?.();
      },
      error: (error: unknown) => {
        this.error = error;
        this.failed = true;
        this.wake?.();
      },
      complete: () => {
        this.completed = true;
        this.wake?.();
      },
    });
  }

  /** Waits until `n` events arrived and returns the first `n`. */
  async take(n: number): Promise<StoreEvent[]> {
    await this.until(() => this.events.length >= n, `${n} events`);
    return this.events.slice(0, n);
  }

  /** Waits until an event matching `predicate` arrived and returns it. */
  async waitForEvent(predicate: (event: StoreEvent) => boolean, what: string): Promise<StoreEvent> {
    await this.until(() => this.events.some(predicate), what);
    return this.events.find(predicate) as StoreEvent;
  }

  /** Waits for the watch to error and returns the error. */
  async waitForError(): Promise<unknown> {
    await this.until(() => this.failed, 'an error', true);
    return this.error;
  }

  /** Waits for the watch to complete. */
  async waitForComplete(): Promise<void> {
    await this.until(() => this.completed, 'completion');
  }

  /** Closes the watch. */
  unsubscribe(): void {
    this.subscription.unsubscribe();
  }

  private async until(done: () => boolean, what: string, errorExpected = false): Promise<void> {
    const deadline = Date.now() + storeWaitMs;
    while (!done()) {
      if (this.failed && !errorExpected)
        throw new Error(`watch failed while waiting for ${what}: ${String(this.error)}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`).join(', ');
        throw new Error(
          `timed out waiting for ${what}; received ${this.events.length} events: ${seen.slice(0, 2000)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}

/** A compact, comparable view of an event. */
export function describeEvent(event: StoreEvent): string {
  return `${event.type} ${event.kv.key}=${event.kv.value}@${event.kv.modRevision}`;
}

/** Creates `count` keys `${prefix}${i}` (zero-padded) with value `v${i}`; returns their revisions. */
export async function seed(store: Store, prefix: string, count: number): Promise<number[]> {
  const revisions: number[] = [];
  for (let i = 0; i < count; i++) {
    revisions.push((await store.create(`${prefix}${String(i).padStart(3, '0')}`, `v${i}`)).modRevision);
  }
  return revisions;
}
