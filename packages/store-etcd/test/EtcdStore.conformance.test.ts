import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, jest } from '@jest/globals';
import { describeStoreConformance, startEtcd, type EtcdHandle, type EtcdMode } from '@tugboat/testing';

import { EtcdStore } from '../src/index.js';

/**
 * The shared Store suite against real etcd, once per way of running it: a spawned etcd process and
 * an etcd container (testcontainers, locally built image). One etcd serves all cases of a mode;
 * each case gets a fresh, empty store under its own fixed-width key prefix, so no case sees another's keys.
 */
// Real etcd on a shared 2-core machine: the contention cases (50 CAS writers) need headroom.
jest.setTimeout(120_000);

for (const mode of ['process', 'container'] as const satisfies readonly EtcdMode[]) {
  describe(`etcd in ${mode} mode`, () => {
    let etcd: EtcdHandle | undefined;
    let n = 0;
    const run = randomUUID().slice(0, 8);

    beforeAll(async () => {
      etcd = await startEtcd({ mode });
    }, 120_000);

    afterAll(async () => {
      await etcd?.stop();
    }, 60_000);

    describeStoreConformance(`etcd (${mode})`, async () => {
      if (!etcd) throw new Error(`etcd (${mode}) did not start`);
      const prefix = `/conformance/${run}/${String(n++).padStart(5, '0')}`;
      return {
        store: await EtcdStore.connect({ endpoints: [etcd.endpoints], prefix, requestTimeoutMs: 30_000 }),
      };
    });
  });
}
