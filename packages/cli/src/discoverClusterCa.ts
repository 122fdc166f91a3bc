import { request } from 'node:https';

import { ApiError, type corev1 } from '@tugboat/core';
import {
  clusterInfoKubeconfigKey,
  clusterInfoSignaturePrefix,
  verifyClusterInfo,
} from '@tugboat/controllers';

import { caCertHash } from './caCertHash.js';
import { readClusterInfoKubeconfig } from './clusterInfo.js';

/** Options of {@link discoverClusterCa}. */
export interface DiscoveryOptions {
  /** The API server, `https://HOST:PORT`. */
  readonly server: string;
  /** The bootstrap token `<id>.<secret>`. */
  readonly token: string;
  /** `sha256:<hex>` pins of the CA's public key; empty: trust whatever the token's signature covers. */
  readonly caCertHashes: readonly string[];
  /** How long to wait for the token's signature to appear (default 15 s). */
  readonly timeoutMs?: number;
}

const path = '/api/v1/namespaces/kube-public/configmaps/cluster-info';

/**
 * Token discovery of the cluster CA, as kubeadm's `--discovery-token`: reads
 * `kube-public/cluster-info` without credentials and without trusting the server's certificate
 * yet, checks the bootstrap signer's `jws-kubeconfig-<id>` signature with the token (only the
 * cluster that holds the token can have made it), checks the CA against the pinned hashes, then
 * reads cluster-info again over TLS verified with that CA. Resolves the CA (PEM). Every failure is
 * an ApiError that says what to fix; nothing is written anywhere.
 */
export async function discoverClusterCa(options: DiscoveryOptions): Promise<string> {
  const [id = '', secret = ''] = options.token.split('.');
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let cm = await fetchClusterInfo(options.server, undefined);
  let signature: string | undefined;
  // The signer adds a new token's signature a moment after the token is created.
  while ((signature = cm.data?.[`${clusterInfoSignaturePrefix}${id}`]) === undefined) {
    if (Date.now() > deadline)
      throw new ApiError(
        'Unauthorized',
        `cluster-info at ${options.server} holds no signature for token ${id}: the token is unknown, expired or not for signing (create one with \`tug token create\`)`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
    cm = await fetchClusterInfo(options.server, undefined);
  }
  const content = cm.data?.[clusterInfoKubeconfigKey] ?? '';
  await verifyClusterInfo(content, signature, id, secret);
  const { caPem } = readClusterInfoKubeconfig(content);
  if (options.caCertHashes.length > 0) {
    let hash: string;
    try {
      hash = caCertHash(caPem);
    } catch {
      throw new ApiError('BadRequest', 'the CA in cluster-info is not a readable certificate');
    }
    if (!options.caCertHashes.includes(hash))
      throw new ApiError(
        'Unauthorized',
        `the cluster CA's public key hash ${hash} matches no --discovery-token-ca-cert-hash: this is not the cluster you meant, or the hash is mistyped (\`tug token create --print-join-command\` prints it)`,
      );
  }
  // The server must now prove it holds a certificate from that CA.
  await fetchClusterInfo(options.server, caPem);
  return caPem;
}

function fetchClusterInfo(server: string, caPem: string | undefined): Promise<corev1.ConfigMap> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, server),
      {
        method: 'GET',
        headers: { accept: 'application/json' },
        timeout: 10_000,
        ...(caPem === undefined ? { rejectUnauthorized: false } : { ca: caPem }),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 200) {
            try {
              resolve(JSON.parse(body) as corev1.ConfigMap);
            } catch {
              reject(
                new ApiError('Internal', `${server} answered cluster-info with something other than JSON`),
              );
            }
            return;
          }
          reject(
            status === 404
              ? new ApiError(
                  'NotFound',
                  `${server} publishes no kube-public/cluster-info: join with --ca-cert (the control plane's DATA-DIR/pki/ca.crt) instead`,
                )
              : status === 401 || status === 403
                ? new ApiError(
                    'Forbidden',
                    `${server} does not let a joining node read kube-public/cluster-info without credentials (HTTP ${status}): join with --ca-cert instead`,
                  )
                : new ApiError('Unavailable', `${server} answered cluster-info with HTTP ${status}`),
          );
        });
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error('timed out'));
    });
    req.on('error', (err) => {
      reject(
        new ApiError(
          'Unavailable',
          caPem === undefined
            ? `cannot reach the API server at ${server}: ${err.message} (check --server)`
            : `the API server at ${server} does not present a certificate from the discovered cluster CA: ${err.message}`,
        ),
      );
    });
    req.end();
  });
}
