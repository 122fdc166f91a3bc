import { describe, expect, it } from '@jest/globals';
import { ApiError, realClock, silentLogger } from '@tugboat/core';

import { PodWorkers } from '../src/pod/PodWorkers.js';
import { until } from './podHarness.js';

describe('PodWorkers', () => {
  it('never runs two syncs of one pod at once and coalesces triggers arriving meanwhile into one', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const gate: { release?: (() => void) | undefined } = {};
    const workers = new PodWorkers(
      async () => {
        active++;
        runs++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((r) => (gate.release = r));
        active--;
        return {};
      },
      realClock,
      silentLogger,
      { baseMs: 1, maxMs: 10 },
    );
    workers.enqueue('a');
    for (let i = 0; i < 5; i++) workers.enqueue('a');
    // Takes the release of the sync under way, if any.
    const take = (): (() => void) | undefined => {
      const r = gate.release;
      gate.release = undefined;
      return r;
    };
    (await until(take, 'first sync running'))();
    (await until(take, 'second sync running'))();
    await until(() => (workers.idle() ? true : undefined), 'idle');
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
    await workers.stop();
  });

  it('retries a failing pod with backoff without holding up the others', async () => {
    const calls = new Map<string, number>();
    const workers = new PodWorkers(
      (uid) => {
        calls.set(uid, (calls.get(uid) ?? 0) + 1);
        if (uid === 'bad' && (calls.get(uid) ?? 0) < 3)
          return Promise.reject(new ApiError('Unavailable', 'down'));
        if (uid === 'bad') return Promise.resolve({});
        return Promise.resolve({});
      },
      realClock,
      silentLogger,
      { baseMs: 5, maxMs: 20 },
    );
    workers.enqueue('bad');
    workers.enqueue('good');
    await until(() => ((calls.get('bad') ?? 0) >= 3 ? true : undefined), 'bad retried until it succeeds');
    expect(calls.get('good')).toBe(1);
    await workers.stop();
  });

  it('runs a requested requeue later, and stops taking work once stopped', async () => {
    let runs = 0;
    const workers = new PodWorkers(
      () => {
        runs++;
        return Promise.resolve(runs === 1 ? { requeueAfterMs: 5 } : {});
      },
      realClock,
      silentLogger,
      { baseMs: 5, maxMs: 20 },
    );
    workers.enqueue('a');
    await until(() => (runs === 2 ? true : undefined), 'requeued sync');
    await workers.stop();
    workers.enqueue('a');
    expect(runs).toBe(2);
  });
});
