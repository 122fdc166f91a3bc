import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError, resources, type corev1 } from '@tugboat/core';

import { jwtPayload, pod, startDataHarness, type DataHarness } from './dataHarness.js';

let h: DataHarness;
beforeEach(async () => {
  h = await startDataHarness();
  await h.api.create(resources.ServiceAccounts, { metadata: { name: 'default', namespace: 'default' } });
});
afterEach(async () => {
  await h.stop();
});

/** The projected volume upstream's ServiceAccount admission adds to every pod. */
const kubeApiAccess: corev1.Volume = {
  name: 'kube-api-access-abcde',
  projected: {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
        },
      },
    ],
  },
};

describe('projected volumes', () => {
  it('provides the kube-api-access volume: a pod-bound token, ca.crt and namespace', async () => {
    await h.api.create(resources.ConfigMaps, {
      metadata: { name: 'kube-root-ca.crt', namespace: 'default' },
      data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
    });
    const p = await h.createPod(pod('api', { volumes: [kubeApiAccess] }));
    const dir = (await h.volumes.setupPod(p)).get(kubeApiAccess.name) ?? '';
    expect(await readFile(join(dir, 'ca.crt'), 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(await readFile(join(dir, 'namespace'), 'utf8')).toBe('default');
    const claims = jwtPayload(await readFile(join(dir, 'token'), 'utf8'));
    expect(claims['sub']).toBe('system:serviceaccount:default:default');
    expect(claims['kubernetes.io']).toMatchObject({
      namespace: 'default',
      pod: { name: 'api', uid: p.metadata?.uid },
      serviceaccount: { name: 'default' },
    });
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(3607);
  });

  it('requests the audience asked for, and renews the token past 80% of its lifetime', async () => {
    const vol: corev1.Volume = {
      name: 'vault',
      projected: {
        sources: [
          { serviceAccountToken: { path: 'vault-token', audience: 'vault', expirationSeconds: 1000 } },
        ],
      },
    };
    const p = await h.createPod(pod('aud', { volumes: [vol] }));
    const dir = (await h.volumes.setupPod(p)).get('vault') ?? '';
    const first = await readFile(join(dir, 'vault-token'), 'utf8');
    expect(jwtPayload(first)['aud']).toEqual(['vault']);

    await h.clock.advance(790_000);
    await h.volumes.setupPod(p);
    expect(await readFile(join(dir, 'vault-token'), 'utf8')).toBe(first);

    await h.clock.advance(20_000);
    await h.volumes.setupPod(p);
    const renewed = await readFile(join(dir, 'vault-token'), 'utf8');
    expect(renewed).not.toBe(first);
    expect(jwtPayload(renewed)['aud']).toEqual(['vault']);
  });

  it('fails when the kube-root-ca.crt ConfigMap or the ServiceAccount is missing, naming each', async () => {
    const p = await h.createPod(pod('noca', { volumes: [kubeApiAccess] }));
    const err = await h.volumes.setupPod(p).catch((e: unknown) => e);
    expect(ApiError.is(err)).toBe(true);
    expect((err as Error).message).toBe(
      `MountVolume.SetUp failed for volume "${kubeApiAccess.name}" : configmap "kube-root-ca.crt" not found`,
    );

    const other = await h.createPod(
      pod('nosa', {
        serviceAccountName: 'robot',
        volumes: [
          {
            name: 't',
            projected: {
              sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'absent' } }],
            },
          },
        ],
      }),
    );
    const err2 = (await h.volumes.setupPod(other).catch((e: unknown) => e)) as Error;
    expect(err2.message).toBe(
      'MountVolume.SetUp failed for volume "t" : [failed to fetch token: serviceaccounts "robot" not found, configmap "absent" not found]',
    );
  });

  it('merges configMap, secret and downwardAPI sources with item modes', async () => {
    await h.api.create(resources.ConfigMaps, {
      metadata: { name: 'cfg', namespace: 'default' },
      data: { a: 'A' },
    });
    await h.api.create(resources.Secrets, {
      metadata: { name: 'sec', namespace: 'default' },
      stringData: { s: 'S' },
    });
    const p = await h.createPod(
      pod('mix', {
        volumes: [
          {
            name: 'all',
            projected: {
              defaultMode: 0o440,
              sources: [
                { configMap: { name: 'cfg' } },
                { secret: { name: 'sec', items: [{ key: 's', path: 'secret/s', mode: 0o400 }] } },
                { secret: { name: 'missing', optional: true } },
                { downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
              ],
            },
          },
        ],
      }),
    );
    const dir = (await h.volumes.setupPod(p)).get('all') ?? '';
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('A');
    expect(await readFile(join(dir, 'secret', 's'), 'utf8')).toBe('S');
    expect(await readFile(join(dir, 'name'), 'utf8')).toBe('mix');
  });
});
