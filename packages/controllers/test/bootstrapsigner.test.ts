import { afterEach, describe, expect, it } from '@jest/globals';
import { resources, type corev1 } from '@tugboat/core';

import { clusterInfoName, clusterInfoNamespace, signClusterInfo, verifyClusterInfo } from '../src/index.js';
import { startCluster, until, type TestCluster } from './harness.js';

const { ConfigMaps, Secrets } = resources;
const ns = { namespace: clusterInfoNamespace };

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

function tokenSecret(id: string, secret: string, extra: Record<string, string> = {}): corev1.Secret {
  const data = { 'token-id': id, 'token-secret': secret, 'usage-bootstrap-signing': 'true', ...extra };
  return {
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

function kubeconfig(ca: string): string {
  return `apiVersion: v1\nkind: Config\nclusters:\n- name: ''\n  cluster:\n    certificate-authority-data: ${Buffer.from(ca).toString('base64')}\n    server: https://127.0.0.1:6443\n`;
}

async function signatures(
  api: TestCluster['api'],
  want: (keys: string[]) => boolean,
): Promise<corev1.ConfigMap> {
  return until(
    async () => {
      const cm = await api.get(ConfigMaps, clusterInfoName, ns);
      const keys = Object.keys(cm.data ?? {})
        .filter((k) => k.startsWith('jws-kubeconfig-'))
        .sort();
      return want(keys) ? cm : undefined;
    },
    10_000,
    'cluster-info signatures',
  );
}

describe('bootstrap signer', () => {
  it('signs cluster-info per signing token, drops a removed token, and signs a changed kubeconfig again', async () => {
    cluster = await startCluster(['bootstrapsigner']);
    const { api } = cluster;
    await api.create(Secrets, tokenSecret('abcdef', '0123456789abcdef'), { namespace: 'kube-system' });
    await api.create(Secrets, tokenSecret('ghijkl', 'fedcba9876543210'), { namespace: 'kube-system' });
    // Not for signing: no signature.
    await api.create(
      Secrets,
      tokenSecret('mnopqr', 'aaaaaaaaaaaaaaaa', { 'usage-bootstrap-signing': 'false' }),
      { namespace: 'kube-system' },
    );
    // Expired: no signature.
    await api.create(
      Secrets,
      tokenSecret('stuvwx', 'bbbbbbbbbbbbbbbb', { expiration: '2020-01-01T00:00:00Z' }),
      { namespace: 'kube-system' },
    );
    const first = kubeconfig('CA-1');
    await api.create(
      ConfigMaps,
      { metadata: { name: clusterInfoName, ...ns }, data: { kubeconfig: first } },
      ns,
    );

    let cm = await signatures(api, (k) => k.join() === 'jws-kubeconfig-abcdef,jws-kubeconfig-ghijkl');
    const sig = cm.data?.['jws-kubeconfig-abcdef'] ?? '';
    await expect(verifyClusterInfo(first, sig, 'abcdef', '0123456789abcdef')).resolves.toBeUndefined();
    // A wrong secret or altered content does not verify.
    await expect(verifyClusterInfo(first, sig, 'abcdef', '0123456789abcdeX')).rejects.toMatchObject({
      code: 'Unauthorized',
    });
    await expect(
      verifyClusterInfo(kubeconfig('EVIL'), sig, 'abcdef', '0123456789abcdef'),
    ).rejects.toMatchObject({
      code: 'Unauthorized',
    });

    await api.delete(Secrets, 'bootstrap-token-ghijkl', { namespace: 'kube-system' });
    cm = await signatures(api, (k) => k.join() === 'jws-kubeconfig-abcdef');
    expect(cm.data?.kubeconfig).toBe(first);

    const second = kubeconfig('CA-2');
    await api.update(ConfigMaps, { ...cm, data: { kubeconfig: second, 'jws-kubeconfig-abcdef': sig } }, ns);
    cm = await until(
      async () => {
        const c = await api.get(ConfigMaps, clusterInfoName, ns);
        return c.data?.['jws-kubeconfig-abcdef'] !== sig ? c : undefined;
      },
      10_000,
      're-signed',
    );
    await expect(
      verifyClusterInfo(second, cm.data?.['jws-kubeconfig-abcdef'] ?? '', 'abcdef', '0123456789abcdef'),
    ).resolves.toBeUndefined();
  });

  it('produces the detached form <header>..<signature> with the token id as kid', async () => {
    const jws = await signClusterInfo('content', 'abcdef', '0123456789abcdef');
    const [header, payload, signature] = jws.split('.');
    expect(payload).toBe('');
    expect(signature).not.toBe('');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toEqual({
      alg: 'HS256',
      kid: 'abcdef',
    });
    await expect(
      verifyClusterInfo('content', 'not-a-jws', 'abcdef', '0123456789abcdef'),
    ).rejects.toMatchObject({
      code: 'Unauthorized',
    });
  });
});
