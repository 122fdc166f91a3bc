import { rm } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, Store } from '@tugboat/core';
import { freePorts, startEtcd, type EtcdHandle } from '@tugboat/testing';
import { Container } from 'inversify';

import { EtcdStore, createEtcdStore, etcdStoreModule, parseEtcdUrl } from '../src/index.js';
import { makeTestCerts, type TestCerts } from './testCerts.js';

describe('parseEtcdUrl', () => {
  it('reads endpoints, TLS and a prefix path', () => {
    expect(parseEtcdUrl('etcd://10.0.0.1:2379,10.0.0.2:3379')).toEqual({
      endpoints: ['10.0.0.1:2379', '10.0.0.2:3379'],
      tls: false,
    });
    expect(parseEtcdUrl('etcds://db/tug')).toEqual({ endpoints: ['db:2379'], tls: true, prefix: '/tug' });
    expect(parseEtcdUrl('etcd://[::1]:4000')).toEqual({ endpoints: ['[::1]:4000'], tls: false });
  });

  it('rejects what is not an etcd URL with BadRequest', () => {
    for (const bad of ['http://a:1', 'etcd://', 'etcd://a:99999', 'etcd://a:1,,b:2', 'a:2379']) {
      expect(() => parseEtcdUrl(bad)).toThrow(ApiError);
    }
  });
});

describe('createEtcdStore', () => {
  let etcd: EtcdHandle;
  let tlsEtcd: EtcdHandle;
  let certs: TestCerts;
  const certDirs: string[] = [];
  const started: EtcdHandle[] = [];

  beforeAll(async () => {
    const made = await makeTestCerts();
    certs = made;
    certDirs.push(made.dir);
    [etcd, tlsEtcd] = await Promise.all([
      startEtcd(),
      startEtcd({ tls: { certFile: made.serverCert, keyFile: made.serverKey, clientCaFile: made.ca } }),
    ]);
    started.push(etcd, tlsEtcd);
  });

  afterAll(async () => {
    await Promise.all(started.map((e) => e.stop()));
    for (const dir of certDirs) await rm(dir, { recursive: true, force: true });
  });

  it('connects by URL, fails over past a dead endpoint, and honours the URL prefix', async () => {
    const [dead] = await freePorts(1);
    const store = await createEtcdStore(`etcd://127.0.0.1:${dead!},${etcd.endpoints}/custom`);
    try {
      for (let i = 0; i < 10; i++) await store.create(`/k${i}`, 'v');
      expect((await store.list('/')).items).toHaveLength(10);
      const plain = await createEtcdStore(etcd.url, { prefix: '' });
      expect((await plain.list('/custom/')).items).toHaveLength(10);
      await plain.close();
    } finally {
      await store.close();
    }
  });

  it('names the endpoint when nothing answers at start', async () => {
    const [dead] = await freePorts(1);
    const err = (await createEtcdStore(`etcd://127.0.0.1:${dead!}`).catch((e: unknown) => e)) as ApiError;
    expect(ApiError.is(err, 'Unavailable')).toBe(true);
    expect(err.message).toContain(`etcd://127.0.0.1:${dead!}: connection refused`);
  });

  it('speaks TLS with a CA and client certificate', async () => {
    const store = await createEtcdStore(tlsEtcd.url, {
      ca: certs.ca,
      cert: certs.clientCert,
      key: certs.clientKey,
    });
    try {
      const kv = await store.create('/tls/a', 'secret');
      expect(await store.get('/tls/a')).toEqual(kv);
    } finally {
      await store.close();
    }
  });

  it('reports a TLS failure at start as one readable error naming the endpoint', async () => {
    const untrusted = (await createEtcdStore(tlsEtcd.url, {
      cert: certs.clientCert,
      key: certs.clientKey,
    }).catch((e: unknown) => e)) as ApiError;
    expect(ApiError.is(untrusted, 'Unavailable')).toBe(true);
    expect(untrusted.message).toContain(`etcds://${tlsEtcd.endpoints}`);
    const tlsToPlain = (await createEtcdStore(`etcds://${etcd.endpoints}`, { ca: certs.ca }).catch(
      (e: unknown) => e,
    )) as ApiError;
    expect(ApiError.is(tlsToPlain, 'Unavailable')).toBe(true);
    expect(tlsToPlain.message).toContain(`etcds://${etcd.endpoints}`);
    expect(() => parseEtcdUrl('etcds://x')).not.toThrow();
    await expect(createEtcdStore(etcd.url, { ca: certs.ca })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(createEtcdStore(tlsEtcd.url, { ca: 'not a PEM file' })).rejects.toMatchObject({
      code: 'BadRequest',
    });
    const garbage = (await createEtcdStore(tlsEtcd.url, {
      ca: '-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n',
    }).catch((e: unknown) => e)) as ApiError;
    expect(ApiError.is(garbage, 'Unavailable', 'BadRequest')).toBe(true);
    expect(garbage.message).toContain(tlsEtcd.endpoints);
  });

  it('binds Store in an inversify container', async () => {
    const container = new Container();
    container.load(etcdStoreModule(etcd.url, { prefix: '/di' }));
    const store = container.get<Store>(Store);
    expect(store).toBe(container.get<EtcdStore>(EtcdStore));
    await container.get<EtcdStore>(EtcdStore).ready();
    await store.create('/a', 'v');
    expect((await store.get('/a'))?.value).toBe('v');
    await container.unbindAllAsync();
  });
});
