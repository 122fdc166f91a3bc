import { ApiError } from '@tugboat/core';
import { CompactSign, compactVerify } from 'jose';

/** The namespace of the `cluster-info` ConfigMap, readable without credentials. */
export const clusterInfoNamespace = 'kube-public';
/** The name of the ConfigMap that holds the cluster's discovery kubeconfig. */
export const clusterInfoName = 'cluster-info';
/** The data key of the discovery kubeconfig inside `cluster-info`. */
export const clusterInfoKubeconfigKey = 'kubeconfig';
/** The data key prefix of a token's signature inside `cluster-info` (`jws-kubeconfig-<token-id>`). */
export const clusterInfoSignaturePrefix = 'jws-kubeconfig-';

const encoder = new TextEncoder();

/**
 * The detached JWS (HS256, `kid` the token id, key the token secret) over `content`, as upstream's
 * `jws.ComputeDetachedSignature`: `<header>..<signature>`, the payload left out because the
 * verifier holds it.
 */
export async function signClusterInfo(
  content: string,
  tokenId: string,
  tokenSecret: string,
): Promise<string> {
  const jws = await new CompactSign(encoder.encode(content))
    .setProtectedHeader({ alg: 'HS256', kid: tokenId })
    .sign(encoder.encode(tokenSecret));
  const [header = '', , signature = ''] = jws.split('.');
  return `${header}..${signature}`;
}

/**
 * Checks a detached signature of {@link signClusterInfo} over `content` with the token: resolves
 * when it verifies; otherwise an `Unauthorized` ApiError, because a bad signature means the token
 * is wrong or the content was tampered with on the way.
 */
export async function verifyClusterInfo(
  content: string,
  detached: string,
  tokenId: string,
  tokenSecret: string,
): Promise<void> {
  const [header, payload, signature] = detached.split('.');
  if (header === undefined || payload !== '' || signature === undefined || detached.split('.').length !== 3)
    throw new ApiError(
      'Unauthorized',
      `the cluster-info signature for token ${tokenId} is not a detached JWS`,
    );
  const compact = `${header}.${Buffer.from(content).toString('base64url')}.${signature}`;
  try {
    const { protectedHeader } = await compactVerify(compact, encoder.encode(tokenSecret), {
      algorithms: ['HS256'],
    });
    if (protectedHeader.kid !== tokenId) throw new Error('kid mismatch');
  } catch {
    throw new ApiError(
      'Unauthorized',
      `the cluster-info signature does not verify with token ${tokenId}: the token's secret is wrong, or the cluster information was altered`,
    );
  }
}
