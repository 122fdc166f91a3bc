import { afterEach, beforeEach, describe } from '@jest/globals';

import type {
  ApiClientConformanceFactory,
  ApiClientConformanceSetup,
} from './ApiClientConformanceFactory.js';
import { apiClientCases } from './apiClientCases.js';

/**
 * The shared conformance suite of the `ApiClient` contract: every implementation (in-process,
 * HTTP) runs the same cases against a fresh API server from `factory`, so a component behaves
 * the same whichever client it is given.
 */
export function describeApiClientConformance(name: string, factory: ApiClientConformanceFactory): void {
  describe(`ApiClient conformance: ${name}`, () => {
    let setup: ApiClientConformanceSetup | undefined;
    const ctx = (): ApiClientConformanceSetup => {
      if (setup === undefined) throw new Error('api client conformance: the factory failed, see beforeEach');
      return setup;
    };
    beforeEach(async () => {
      setup = await factory();
    }, 60_000);
    afterEach(async () => {
      await setup?.cleanup();
      setup = undefined;
    }, 60_000);
    apiClientCases(ctx);
  });
}
