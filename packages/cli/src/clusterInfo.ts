import { ApiError, resources, type ApiClient, type corev1 } from '@tugboat/core';
import {
  clusterInfoKubeconfigKey,
  clusterInfoName,
  clusterInfoNamespace,
  clusterInfoSignaturePrefix,
} from '@tugboat/controllers';
import { parse, stringify } from 'yaml';

/**
 * The kubeconfig published in `kube-public/cluster-info`, as kubeadm writes it: one cluster (the
 * server and the CA), no user and no context, since anyone may read it.
 */
export function clusterInfoKubeconfig(server: string, caPem: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: '', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } },
    ],
    contexts: [],
    'current-context': '',
    preferences: {},
    users: [],
  });
}

/** The server and CA (PEM) of a {@link clusterInfoKubeconfig}; a `BadRequest` ApiError when it holds neither. */
export function readClusterInfoKubeconfig(text: string): { server: string; caPem: string } {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    throw new ApiError('BadRequest', 'the kubeconfig in cluster-info is not YAML');
  }
  const cluster = (doc as { clusters?: { cluster?: Record<string, unknown> }[] } | null)?.clusters?.[0]
    ?.cluster;
  const server = cluster?.server;
  const ca = cluster?.['certificate-authority-data'];
  if (typeof server !== 'string' || typeof ca !== 'string')
    throw new ApiError('BadRequest', 'the kubeconfig in cluster-info holds no server and CA');
  return { server, caPem: Buffer.from(ca, 'base64').toString('utf8') };
}

/**
 * Creates `kube-public/cluster-info` with the {@link clusterInfoKubeconfig} of this control plane,
 * or, when it exists with another CA, replaces the kubeconfig (the bootstrap signer signs it
 * again). One with the same CA is left as it is, so several control planes do not fight over the
 * server address.
 */
export async function ensureClusterInfo(client: ApiClient, server: string, caPem: string): Promise<void> {
  const ns = { namespace: clusterInfoNamespace };
  const kubeconfig = clusterInfoKubeconfig(server, caPem);
  let existing: corev1.ConfigMap | undefined;
  try {
    existing = await client.get(resources.ConfigMaps, clusterInfoName, ns);
  } catch (err) {
    if (!ApiError.is(err, 'NotFound')) throw err;
  }
  if (existing === undefined) {
    await client
      .create(
        resources.ConfigMaps,
        { metadata: { name: clusterInfoName, ...ns }, data: { [clusterInfoKubeconfigKey]: kubeconfig } },
        ns,
      )
      .catch((err: unknown) => {
        if (!ApiError.is(err, 'AlreadyExists')) throw err;
      });
    return;
  }
  const current = existing.data?.[clusterInfoKubeconfigKey];
  const sameCa = current !== undefined && safeCa(current) === caPem;
  if (sameCa) return;
  await client.update(
    resources.ConfigMaps,
    { ...existing, data: { ...existing.data, [clusterInfoKubeconfigKey]: kubeconfig } },
    ns,
  );
}

function safeCa(text: string): string | undefined {
  try {
    return readClusterInfoKubeconfig(text).caPem;
  } catch {
    return undefined;
  }
}

/**
 * Waits until `kube-public/cluster-info` carries the bootstrap signer's signature for token `id`:
 * `true` once it does, `false` when it does not within `timeoutMs`, `undefined` when the cluster
 * publishes no cluster-info at all (then there is nothing to wait for).
 */
export async function awaitClusterInfoSignature(
  client: ApiClient,
  id: string,
  timeoutMs: number,
): Promise<boolean | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let cm: corev1.ConfigMap;
    try {
      cm = await client.get(resources.ConfigMaps, clusterInfoName, { namespace: clusterInfoNamespace });
    } catch (err) {
      if (ApiError.is(err, 'NotFound')) return undefined;
      throw err;
    }
    if (cm.data?.[`${clusterInfoSignaturePrefix}${id}`] !== undefined) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
