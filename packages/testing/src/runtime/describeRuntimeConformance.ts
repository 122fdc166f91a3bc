import { afterAll, afterEach, beforeAll, describe, jest } from '@jest/globals';

import { containerCases } from './cases/containerCases.js';
import { eventCases } from './cases/eventCases.js';
import { imageCases } from './cases/imageCases.js';
import { attachCases } from './cases/attachCases.js';
import { logExecCases } from './cases/logExecCases.js';
import { sandboxCases } from './cases/sandboxCases.js';
import { stopCases } from './cases/stopCases.js';
import { RuntimeHarness, type RuntimeConformanceFactory } from './RuntimeHarness.js';

/**
 * The shared conformance suite of the {@link Runtime} contract: registers jest `describe`/`it`
 * blocks that every runtime package runs against its implementation (real containers on
 * containerd and Docker, simulated ones in the fake).
 *
 * Cases use busybox commands only (`sh`, `echo`, `sleep`, `env`, `pwd`, `seq`, `cat`, `head`,
 * `tail`, `wc`, `trap`), run in host-network sandboxes, wait by polling with a deadline, and remove
 * every sandbox they made. `factory` is called once, before the first case; its `cleanup` after the
 * last. Without `reconnect`, the reconnect case reads the state back through the same client.
 *
 * The memory-limit case allocates with `head -c 200m /dev/zero | tail` under a 32 MiB limit (busybox
 * tail buffers a line that never ends); runtime-fake's interpreter simulates exactly that pipeline.
 * The missing-image cases use `missingImageRef`, whose registry refuses connections at once.
 */
export function describeRuntimeConformance(name: string, factory: RuntimeConformanceFactory): void {
  // Real daemons on a loaded machine: leave room above the harness's own 30 s wait deadlines, so a
  // slow case fails with the harness's message (what it waited for) rather than a bare jest timeout.
  jest.setTimeout(90_000);
  describe(`Runtime conformance: ${name}`, () => {
    let h: RuntimeHarness | undefined;
    const harness = (): RuntimeHarness => {
      if (!h) throw new Error('runtime conformance: the factory failed, see beforeAll');
      return h;
    };

    beforeAll(async () => {
      h = new RuntimeHarness(await factory());
    }, 120_000);

    afterEach(async () => {
      await h?.cleanup();
    }, 120_000);

    afterAll(async () => {
      if (!h) return;
      await h.cleanup();
      await h.runtime.close();
      await h.setup.cleanup?.();
    }, 120_000);

    describe('sandboxes', () => {
      sandboxCases(harness);
    });
    describe('containers', () => {
      containerCases(harness);
    });
    describe('logs and exec', () => {
      logExecCases(harness);
    });
    describe('attach', () => {
      attachCases(harness);
    });
    describe('stop and resources', () => {
      stopCases(harness);
    });
    describe('images', () => {
      imageCases(harness);
    });
    describe('events, lists, concurrency and reconnect', () => {
      eventCases(harness);
    });
  });
}
