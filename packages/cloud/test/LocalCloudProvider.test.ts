import { describe, expect, it } from '@jest/globals';
import { ApiError } from '@tugboat/core';

import { LocalCloudProvider } from '../src/index.js';

const svc = (uid: string) => ({ namespace: 'default', name: uid, uid });

describe('LocalCloudProvider', () => {
  it('keeps one address per load balancer and reports an exhausted pool as Unavailable', async () => {
    // A /30 has two usable addresses.
    const cloud = new LocalCloudProvider({ loadBalancerPool: '127.65.0.0/30' });
    try {
      const first = await cloud.ensureLoadBalancer(svc('a'), [], []);
      expect(await cloud.ensureLoadBalancer(svc('a'), [], [])).toEqual(first);
      expect(first).toEqual([{ ip: '127.65.0.1' }]);
      expect(await cloud.ensureLoadBalancer(svc('b'), [], [])).toEqual([{ ip: '127.65.0.2' }]);
      const full = await cloud.ensureLoadBalancer(svc('c'), [], []).catch((e: unknown) => e);
      expect(ApiError.is(full, 'Unavailable')).toBe(true);
      await cloud.deleteLoadBalancer(svc('a'));
      expect(await cloud.ensureLoadBalancer(svc('c'), [], [])).toEqual([{ ip: '127.65.0.1' }]);
    } finally {
      await cloud.close();
    }
  });

  it('rejects a bad pool with BadRequest', () => {
    expect(() => new LocalCloudProvider({ loadBalancerPool: '127.65.0.0' })).toThrow(
      /invalid load balancer address pool/,
    );
  });

  it('reports unknown nodes as existing machines and removed ones as gone', async () => {
    const cloud = new LocalCloudProvider();
    expect((await cloud.instance('n1'))?.providerId).toBe('local://n1');
    cloud.addMachine('n1', { address: '127.0.0.1' });
    expect((await cloud.instance('n1'))?.addresses).toContainEqual({
      type: 'InternalIP',
      address: '127.0.0.1',
    });
    cloud.removeMachine('n1');
    expect(await cloud.instance('n1')).toBeUndefined();
  });
});
