import {
  ApiClient,
  ApiError,
  controller,
  resources,
  SharedInformerFactory,
  type corev1,
  type Informer,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';

import {
  clusterInfoKubeconfigKey,
  clusterInfoName,
  clusterInfoNamespace,
  clusterInfoSignaturePrefix,
  signClusterInfo,
} from './clusterInfoSignature.js';

const { ConfigMaps, Secrets } = resources;
const tokenSecretType = 'bootstrap.kubernetes.io/token';
const tokenNamespace = 'kube-system';
const clusterInfo: ReconcileRequest = { namespace: clusterInfoNamespace, name: clusterInfoName };

/** A bootstrap token that may sign, read from its Secret. */
interface SigningToken {
  readonly id: string;
  readonly secret: string;
  /** Epoch ms, or undefined when it never expires. */
  readonly expires?: number;
}

/**
 * The bootstrap signer, as upstream's `bootstrapsigner` controller: keeps one detached JWS
 * signature (`jws-kubeconfig-<token-id>`) of the `kube-public/cluster-info` kubeconfig per bootstrap
 * token that is valid for signing, so a joining node holding only a token can check that what it
 * read without credentials came from this cluster. Signatures of tokens that were removed, expired
 * or lost their signing usage are dropped; a changed kubeconfig (a new CA) is signed again.
 */
@controller({
  name: 'bootstrap-signer',
  for: ConfigMaps,
  watches: [
    {
      resource: Secrets,
      map: (s) =>
        (s as corev1.Secret).type === tokenSecretType && s.metadata?.namespace === tokenNamespace
          ? [clusterInfo]
          : [],
    },
  ],
})
@injectable()
export class BootstrapSigner implements Reconciler {
  private readonly configMaps: Informer<corev1.ConfigMap>;
  private readonly secrets: Informer<corev1.Secret>;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
  ) {
    this.configMaps = informers.informerFor(ConfigMaps);
    this.secrets = informers.informerFor(Secrets);
  }

  async reconcile({ namespace, name }: ReconcileRequest): Promise<ReconcileResult> {
    if (namespace !== clusterInfoNamespace || name !== clusterInfoName) return {};
    const cm = this.configMaps.cache.get(clusterInfoName, clusterInfoNamespace);
    const content = cm?.data?.[clusterInfoKubeconfigKey];
    if (cm === undefined || content === undefined) return {};
    const now = Date.now();
    const tokens = this.secrets.cache
      .list()
      .filter((s) => s.metadata?.namespace === tokenNamespace)
      .map(signingToken)
      .filter((t): t is SigningToken => t !== undefined && (t.expires === undefined || t.expires > now));
    const data: Record<string, string> = {};
    for (const [key, value] of Object.entries(cm.data ?? {}))
      if (!key.startsWith(clusterInfoSignaturePrefix)) data[key] = value;
    for (const t of tokens)
      data[`${clusterInfoSignaturePrefix}${t.id}`] = await signClusterInfo(content, t.id, t.secret);
    const nextExpiry = Math.min(...tokens.map((t) => t.expires ?? Infinity));
    // Expiry changes nothing the watch sees, so come back when the next token lapses.
    const result = Number.isFinite(nextExpiry) ? { requeueAfter: Math.max(nextExpiry - now, 0) + 1 } : {};
    if (sameData(cm.data ?? {}, data)) return result;
    try {
      await this.api.update(ConfigMaps, { ...cm, data }, { namespace: clusterInfoNamespace });
    } catch (err) {
      // A concurrent writer changed it; the watch brings the new version back here.
      if (ApiError.is(err, 'Conflict') || ApiError.is(err, 'NotFound')) return result;
      throw err;
    }
    return result;
  }
}

function signingToken(secret: corev1.Secret): SigningToken | undefined {
  if (secret.type !== tokenSecretType) return undefined;
  const read = (key: string): string | undefined => {
    const raw = secret.data?.[key];
    return raw === undefined ? secret.stringData?.[key] : Buffer.from(raw, 'base64').toString('utf8');
  };
  const id = read('token-id');
  const tokenSecret = read('token-secret');
  if (id === undefined || tokenSecret === undefined || read('usage-bootstrap-signing') !== 'true')
    return undefined;
  // The Secret's name must match the id, or anyone able to create a Secret could sign as another token.
  if (secret.metadata?.name !== `bootstrap-token-${id}`) return undefined;
  const expiration = read('expiration');
  if (expiration === undefined) return { id, secret: tokenSecret };
  const expires = Date.parse(expiration);
  // An unreadable expiry is treated as expired, never as eternal.
  return { id, secret: tokenSecret, expires: Number.isNaN(expires) ? 0 : expires };
}

function sameData(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
