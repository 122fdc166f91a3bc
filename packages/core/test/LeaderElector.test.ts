import { afterEach, describe, expect, it } from '@jest/globals';

import { ApiError, LeaderElector, resources, silentLogger, type coordinationv1 } from '../src/index.js';
import { FakeApiClient } from './support/FakeApiClient.js';
import { FakeClock } from './support/FakeClock.js';

const electors: LeaderElector[] = [];
afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop()));
});

function candidate(
  client: FakeApiClient,
  clock: FakeClock,
  identity: string,
  extra: { releaseOnStop?: boolean } = {},
): LeaderElector {
  const e = new LeaderElector(client, silentLogger, {
    name: 'controller-manager',
    identity,
    clock,
    random: () => 0,
    ...extra,
  });
  electors.push(e);
  return e;
}

function lease(client: FakeApiClient): coordinationv1.Lease | undefined {
  return client.peek(resources.Leases, 'controller-manager', 'kube-system');
}

describe('LeaderElector', () => {
  it('lets exactly one of two candidates lead, and records it in the Lease', async () => {
    const client = new FakeApiClient();
    const clock = new FakeClock();
    const a = candidate(client, clock, 'a');
    const b = candidate(client, clock, 'b');
    const states: boolean[] = [];
    a.leading$.subscribe((l) => states.push(l));
    void a.run();
    void b.run();
    await clock.advance(0);
    for (let i = 0; i < 10; i++) {
      await clock.advance(2000);
      expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    }
    expect(a.isLeader()).toBe(true);
    expect(states).toEqual([false, true]);
    const spec = lease(client)?.spec;
    expect(spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(spec?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('hands over at once when the leader stops and releases', async () => {
    const client = new FakeApiClient();
    const clock = new FakeClock();
    const a = candidate(client, clock, 'a');
    const b = candidate(client, clock, 'b');
    void a.run();
    await clock.advance(0);
    void b.run();
    await clock.advance(2000);
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    await a.stop();
    expect(a.isLeader()).toBe(false);
    expect(lease(client)?.spec?.holderIdentity).toBe('');
    await clock.advance(2000);
    expect(b.isLeader()).toBe(true);
    expect(lease(client)?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('takes over a crashed leader only after the lease duration', async () => {
    const client = new FakeApiClient();
    const clock = new FakeClock();
    const a = candidate(client, clock, 'a', { releaseOnStop: false });
    const b = candidate(client, clock, 'b');
    void a.run();
    await clock.advance(0);
    void b.run();
    await clock.advance(0);
    await a.stop();
    expect(lease(client)?.spec?.holderIdentity).toBe('a');
    await clock.advance(12_000);
    expect(b.isLeader()).toBe(false);
    await clock.advance(6_000);
    expect(b.isLeader()).toBe(true);
    expect(lease(client)?.spec?.holderIdentity).toBe('b');
  });

  it('gives up leadership when renewals fail past the renew deadline', async () => {
    const client = new FakeApiClient();
    const clock = new FakeClock();
    const a = candidate(client, clock, 'a');
    void a.run();
    await clock.advance(0);
    expect(a.isLeader()).toBe(true);
    const realGet = client.get.bind(client);
    client.get = async () => {
      throw new ApiError('Unavailable', 'apiserver unreachable');
    };
    await clock.advance(8000);
    expect(a.isLeader()).toBe(true);
    await clock.advance(4000);
    expect(a.isLeader()).toBe(false);
    client.get = realGet;
    await clock.advance(4000);
    expect(a.isLeader()).toBe(true);
  });

  it('steps down at once when it sees another holder', async () => {
    const client = new FakeApiClient();
    const clock = new FakeClock();
    const a = candidate(client, clock, 'a');
    void a.run();
    await clock.advance(0);
    const l = lease(client);
    await client.update(resources.Leases, { ...l, spec: { ...l?.spec, holderIdentity: 'intruder' } });
    await clock.advance(2000);
    expect(a.isLeader()).toBe(false);
  });

  it('rejects inconsistent durations and an empty identity', () => {
    const client = new FakeApiClient();
    expect(() => new LeaderElector(client, silentLogger, { name: 'l', identity: '' })).toThrow(ApiError);
    expect(
      () =>
        new LeaderElector(client, silentLogger, {
          name: 'l',
          identity: 'a',
          leaseDurationMs: 5000,
          renewDeadlineMs: 5000,
        }),
    ).toThrow(/leaseDuration/);
  });
});
