import { describe, expect, it } from '@jest/globals';
import type { Clock } from '@tugboat/core';

import { EndpointPicker, serviceTable } from '../src/index.js';

function fakeClock(): Clock & { advance(ms: number): void } {
  let t = 0;
  return {
    now: () => t,
    setTimeout: () => 0,
    clearTimeout: () => undefined,
    advance(ms) {
      t += ms;
    },
  };
}

const e = (port: number) => ({ address: '127.0.0.1', port });

describe('EndpointPicker', () => {
  it('goes round-robin and skips excluded endpoints', () => {
    const p = new EndpointPicker(fakeClock());
    p.update([e(1), e(2), e(3)], undefined);
    expect([p.pick('c'), p.pick('c'), p.pick('c'), p.pick('c')].map((x) => x?.port)).toEqual([1, 2, 3, 1]);
    expect(p.pick('c', new Set(['127.0.0.1:2', '127.0.0.1:3']))?.port).toBe(1);
    expect(p.pick('c', new Set(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3']))).toBeUndefined();
    p.update([], undefined);
    expect(p.pick('c')).toBeUndefined();
  });

  it('keeps a client on its endpoint until the affinity times out or the endpoint goes', () => {
    const clock = fakeClock();
    const p = new EndpointPicker(clock);
    p.update([e(1), e(2)], 1000);
    const first = p.pick('10.0.0.1')?.port;
    clock.advance(900);
    expect(p.pick('10.0.0.1')?.port).toBe(first);
    clock.advance(900);
    // Each use refreshes the timeout.
    expect(p.pick('10.0.0.1')?.port).toBe(first);
    clock.advance(1001);
    p.pick('10.0.0.2');
    const after = p.pick('10.0.0.1')?.port;
    expect(after).toBeDefined();
    p.update([e(3)], 1000);
    expect(p.pick('10.0.0.1')?.port).toBe(3);
  });
});

describe('serviceTable', () => {
  it('maps service ports to cluster IP and NodePort listeners with ready endpoints only', () => {
    const table = serviceTable(
      [
        {
          metadata: { name: 'web', namespace: 'ns' },
          spec: {
            type: 'NodePort',
            clusterIP: '127.10.0.5',
            ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }],
          },
        },
        {
          metadata: { name: 'headless', namespace: 'ns' },
          spec: { clusterIP: 'None', ports: [{ port: 1 }] },
        },
        {
          metadata: { name: 'ext', namespace: 'ns' },
          spec: { type: 'ExternalName', externalName: 'x.example' },
        },
      ],
      (ns, name) =>
        name === 'web'
          ? [
              {
                addressType: 'IPv4',
                endpoints: [
                  { addresses: ['127.0.0.1'], conditions: { ready: true } },
                  { addresses: ['127.0.0.2'], conditions: { ready: false } },
                  { addresses: ['127.0.0.3'] },
                ],
                ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
              },
            ]
          : [],
      '127.0.0.1',
    );
    expect([...table.keys()].sort()).toEqual(['TCP/127.0.0.1:30080', 'TCP/127.10.0.5:80']);
    expect(table.get('TCP/127.10.0.5:80')?.endpoints).toEqual([
      { address: '127.0.0.1', port: 8080 },
      { address: '127.0.0.3', port: 8080 },
    ]);
    expect(table.get('TCP/127.10.0.5:80')?.service).toBe('ns/web');
  });
});
