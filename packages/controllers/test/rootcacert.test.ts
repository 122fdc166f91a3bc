import { afterEach, describe, expect, it } from '@jest/globals';
import { resources } from '@tugboat/core';

import { controllersModule, rootCaConfigMap } from '../src/index.js';
import { startCluster, until, type TestCluster } from './harness.js';

const { ConfigMaps, Namespaces } = resources;
const caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('root CA publisher', () => {
  it('keeps kube-root-ca.crt with the cluster CA in every namespace, restoring it when changed or deleted', async () => {
    cluster = await startCluster(['rootcacertpublisher'], { rootCaPem: caPem });
    const { api } = cluster;
    await api.create(Namespaces, { metadata: { name: 'team' } });
    const cm = await until(
      () => api.get(ConfigMaps, rootCaConfigMap, { namespace: 'team' }),
      10_000,
      'configmap in team',
    );
    expect(cm.data).toEqual({ 'ca.crt': caPem });
    await until(() => api.get(ConfigMaps, rootCaConfigMap, { namespace: 'default' }), 10_000, 'in default');

    await api.update(ConfigMaps, { ...cm, data: { 'ca.crt': 'tampered' } });
    await until(
      async () => {
        const c = await api.get(ConfigMaps, rootCaConfigMap, { namespace: 'team' });
        return c.data?.['ca.crt'] === caPem ? c : undefined;
      },
      10_000,
      'restored content',
    );

    await api.delete(ConfigMaps, rootCaConfigMap, { namespace: 'team' });
    await until(() => api.get(ConfigMaps, rootCaConfigMap, { namespace: 'team' }), 10_000, 'recreated');
  });

  it('runs only when given the CA', () => {
    expect(() => controllersModule({ controllers: ['rootcacertpublisher'] })).toThrow(/needs rootCaPem/);
    expect(() => controllersModule()).not.toThrow();
  });
});
