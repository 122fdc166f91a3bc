import { afterEach, describe, expect, it } from '@jest/globals';
import { resources, type corev1 } from '@tugboat/core';

import { ServiceAccountAdmission, serviceAccountMountPath } from '../../src/index.js';
import { newApiserver, pod } from '../harness.js';

const { Pods, ServiceAccounts } = resources;

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function start(): Promise<Awaited<ReturnType<typeof newApiserver>>> {
  // The plugin reads ServiceAccounts through the registry it admits for, built just below.
  const holder: { client?: Awaited<ReturnType<typeof newApiserver>>['client'] } = {};
  const api = await newApiserver({
    admissionPlugins: [
      new ServiceAccountAdmission((namespace, name) =>
        holder.client
          ? holder.client.get(ServiceAccounts, name, { namespace }).catch(() => undefined)
          : Promise.resolve(undefined),
      ),
    ],
  });
  holder.client = api.client;
  close = api.close;
  return api;
}

const accessVolume = (p: corev1.Pod): corev1.Volume | undefined =>
  p.spec?.volumes?.find((v) => v.name.startsWith('kube-api-access-'));

describe('ServiceAccount admission', () => {
  it('runs a pod as default and mounts the API access volume in every container', async () => {
    const { client } = await start();
    const created = await client.create(
      Pods,
      pod('p', 'default', { initContainers: [{ name: 'init', image: 'busybox:1.35' }] }),
    );
    expect(created.spec?.serviceAccountName).toBe('default');
    const volume = accessVolume(created);
    expect(volume?.name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(volume?.projected?.sources).toEqual([
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
        },
      },
    ]);
    for (const c of [...(created.spec?.initContainers ?? []), ...(created.spec?.containers ?? [])]) {
      expect(c.volumeMounts).toEqual([
        { name: volume?.name, readOnly: true, mountPath: serviceAccountMountPath },
      ]);
    }
  });

  it('leaves the token out when the pod or its ServiceAccount opts out, and keeps a named account', async () => {
    const { client } = await start();
    const optedOut = await client.create(Pods, pod('a', 'default', { automountServiceAccountToken: false }));
    expect(accessVolume(optedOut)).toBeUndefined();
    await client.create(ServiceAccounts, {
      metadata: { name: 'quiet', namespace: 'default' },
      automountServiceAccountToken: false,
    });
    const quiet = await client.create(Pods, pod('b', 'default', { serviceAccountName: 'quiet' }));
    expect(quiet.spec?.serviceAccountName).toBe('quiet');
    expect(accessVolume(quiet)).toBeUndefined();
    // The pod's own setting wins over its account's.
    const explicit = await client.create(
      Pods,
      pod('c', 'default', { serviceAccountName: 'quiet', automountServiceAccountToken: true }),
    );
    expect(accessVolume(explicit)).toBeDefined();
  });

  it('does not mount over a path the pod already uses', async () => {
    const { client } = await start();
    const own = await client.create(
      Pods,
      pod('own', 'default', {
        volumes: [{ name: 'mine', emptyDir: {} }],
        containers: [
          {
            name: 'app',
            image: 'busybox:1.35',
            volumeMounts: [{ name: 'mine', mountPath: serviceAccountMountPath }],
          },
        ],
      }),
    );
    expect(accessVolume(own)).toBeUndefined();
  });
});
