import { afterEach, beforeEach, describe } from '@jest/globals';
import type { Store } from '@tugboat/core';

import { compactionCases } from './compactionCases.js';
import { concurrencyCases } from './concurrencyCases.js';
import { crudCases } from './crudCases.js';
import { listCases } from './listCases.js';
import type { StoreCaseContext, StoreConformanceFactory, StoreConformanceSetup } from './storeHelpers.js';
import { watchCases } from './watchCases.js';

/**
 * The shared conformance suite of the {@link Store} contract: registers jest `describe`/`it`
 * blocks that every store package runs against its implementation. Nothing in it may be skipped
 * for one store.
 *
 * `factory` is called before every case and must return a fresh, empty store; the suite closes it
 * after the case (unless the case did) and then calls `cleanup`. Cases use the store only through
 * the contract and wait for watch events with a deadline, never a fixed sleep.
 *
 * Compaction is checked the way etcd defines it: after `compact(R)` the state at `R` and the events
 * after it stay available, while reads and watches that need anything older are `Gone`.
 */
export function describeStoreConformance(name: string, factory: StoreConformanceFactory): void {
  describe(`Store conformance: ${name}`, () => {
    let setup: StoreConformanceSetup | undefined;
    let closed: Promise<void> | undefined;

    const close = (): Promise<void> => {
      if (setup === undefined) return Promise.resolve();
      closed ??= setup.store.close();
      return closed;
    };
    const ctx = (): StoreCaseContext => {
      if (setup === undefined) throw new Error('store conformance: the factory failed, see beforeEach');
      const store: Store = setup.store;
      return { store, close };
    };

    beforeEach(async () => {
      closed = undefined;
      setup = await factory();
    }, 60_000);

    afterEach(async () => {
      if (setup === undefined) return;
      try {
        await close();
      } finally {
        await setup.cleanup?.();
        setup = undefined;
      }
    }, 60_000);

    describe('create, get, update, delete', () => {
      crudCases(ctx);
    });
    describe('list and pagination', () => {
      listCases(ctx);
    });
    describe('watch', () => {
      watchCases(ctx);
    });
    describe('compaction', () => {
      compactionCases(ctx);
    });
    describe('concurrency and values', () => {
      concurrencyCases(ctx);
    });
  });
}
