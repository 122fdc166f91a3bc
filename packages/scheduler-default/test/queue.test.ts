import { describe, expect, it } from '@jest/globals';
import type { Clock } from '@tugboat/core';

import { PrioritySort, SchedulingQueue } from '../src/index.js';
import { pod } from './helpers.js';

/** A clock the test moves by hand; timers never fire on their own. */
function manualClock(): Clock & { advance(ms: number): void } {
  let t = 1_000_000;
  return {
    now: () => t,
    setTimeout: () => ({}),
    clearTimeout: () => undefined,
    advance: (ms) => {
      t += ms;
    },
  };
}

const sort = new PrioritySort();
const make = (clock = manualClock()) => ({
  clock,
  q: new SchedulingQueue({ less: (a, b) => sort.less(a, b), clock }),
});

describe('SchedulingQueue', () => {
  it('pops by priority, then by age', async () => {
    const { q, clock } = make();
    q.add(pod('old-low', { spec: { priority: 1 } }));
    clock.advance(1);
    q.add(pod('high', { spec: { priority: 100 } }));
    clock.advance(1);
    q.add(pod('new-low', { spec: { priority: 1 } }));
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await q.pop())?.pod.metadata?.name);
    expect(order).toEqual(['high', 'old-low', 'new-low']);
  });

  it('a waiting pop resolves when a pod arrives, and with undefined on close', async () => {
    const { q } = make();
    const waiting = q.pop();
    q.add(pod('p'));
    expect((await waiting)?.pod.metadata?.name).toBe('p');
    const closed = q.pop();
    q.close();
    expect(await closed).toBeUndefined();
  });

  it('parks unschedulable pods until a cluster event, then backs them off 1 s doubling to 10 s', () => {
    const { q, clock } = make();
    const p = pod('p');
    q.add(p);
    let info = q.tryPop()!;
    q.addUnschedulableIfNotPresent(info, true);
    expect(q.where(info.key)).toBe('unschedulable');
    q.moveAllToActiveOrBackoff();
    expect(q.where(info.key)).toBe('backoff');
    clock.advance(999);
    q.flushBackoffCompleted();
    expect(q.where(info.key)).toBe('backoff');
    clock.advance(1);
    q.flushBackoffCompleted();
    expect(q.where(info.key)).toBe('active');
    info = q.tryPop()!;
    expect(info.attempts).toBe(2);
    expect([1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration(a))).toEqual([
      1000, 2000, 4000, 8000, 10000, 10000,
    ]);
  });

  it('backs off instead of parking when a cluster event came during the attempt', () => {
    const { q } = make();
    q.add(pod('p'));
    const info = q.tryPop()!;
    q.moveAllToActiveOrBackoff();
    q.addUnschedulableIfNotPresent(info, true);
    expect(q.where(info.key)).toBe('backoff');
  });

  it('flushes pods unschedulable for 5 minutes', () => {
    const { q, clock } = make();
    q.add(pod('p'));
    const info = q.tryPop()!;
    q.addUnschedulableIfNotPresent(info, true);
    clock.advance(299_000);
    q.flushUnschedulableLeftover();
    expect(q.where(info.key)).toBe('unschedulable');
    clock.advance(1_000);
    q.flushUnschedulableLeftover();
    expect(q.where(info.key)).toBe('active');
  });

  it('retries an unschedulable pod whose spec changed; forgets deleted pods', () => {
    const { q } = make();
    const p = pod('p');
    q.add(p);
    const info = q.tryPop()!;
    q.addUnschedulableIfNotPresent(info, true);
    q.update({ ...p, spec: { ...p.spec!, nodeSelector: { a: 'b' } } });
    expect(q.where(info.key)).not.toBe('unschedulable');
    q.delete(p);
    expect(q.where(info.key)).toBeUndefined();
    expect(q.isTracked(info.key)).toBe(false);
  });

  it('does not requeue a pod deleted while it was being scheduled', () => {
    const { q } = make();
    const p = pod('p');
    q.add(p);
    const info = q.tryPop()!;
    q.delete(p);
    q.addUnschedulableIfNotPresent(info, true);
    expect(q.where(info.key)).toBeUndefined();
  });
});
