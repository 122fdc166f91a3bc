import { ApiError, resources, type ApiClient, type Clock, type corev1 } from '@tugboat/core';

/** The default lifetime of a projected ServiceAccount token (upstream's API default). */
export const defaultTokenExpirationSeconds = 3600;
/** Upstream refreshes a token at 80% of its lifetime, or after 24 hours at the latest. */
const refreshFraction = 0.8;
const maxTtlMs = 24 * 3600 * 1000;

interface CachedToken {
  readonly token: string;
  readonly podUid: string;
  readonly refreshAt: number;
}

interface TokenRequestResponse {
  readonly spec?: { readonly expirationSeconds?: number };
  readonly status?: { readonly token?: string };
}

/**
 * Fetches and caches the ServiceAccount tokens of projected volumes through the TokenRequest API,
 * bound to the pod, as the kubelet's token manager: a cached token is reused until 80% of its
 * lifetime has passed, then renewed.
 */
export class TokenManager {
  private readonly cache = new Map<string, CachedToken>();

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
  ) {}

  /** The token for `pod`'s ServiceAccount with this audience and lifetime, fresh enough to use. */
  async token(pod: corev1.Pod, source: corev1.ServiceAccountTokenProjection): Promise<string> {
    const meta = pod.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    const serviceAccount = pod.spec?.serviceAccountName || 'default';
    const expirationSeconds = source.expirationSeconds ?? defaultTokenExpirationSeconds;
    const audience = source.audience ?? '';
    const podUid = meta.uid ?? '';
    const key = JSON.stringify([namespace, serviceAccount, audience, expirationSeconds, meta.name, podUid]);
    const cached = this.cache.get(key);
    const now = this.clock.now();
    if (cached !== undefined && now < cached.refreshAt) return cached.token;

    const body = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        audiences: audience !== '' ? [audience] : [],
        expirationSeconds,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: meta.name ?? '', uid: podUid },
      },
    };
    let response: TokenRequestResponse;
    try {
      response = await this.client.createSubresource<TokenRequestResponse>(
        resources.ServiceAccounts,
        serviceAccount,
        'token',
        body,
        { namespace },
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new ApiError(
        ApiError.is(err) ? err.code : 'Unavailable',
        `failed to fetch token: ${message}`,
        {},
        {
          cause: err,
        },
      );
    }
    const token = response.status?.token;
    if (typeof token !== 'string' || token === '')
      throw new ApiError('Internal', 'failed to fetch token: the TokenRequest response holds no token');
    // The server may shorten the lifetime; what it granted is what counts.
    const lifetimeMs = (response.spec?.expirationSeconds ?? expirationSeconds) * 1000;
    this.cache.set(key, { token, podUid, refreshAt: now + Math.min(lifetimeMs * refreshFraction, maxTtlMs) });
    return token;
  }

  /** Forgets the tokens of a pod (on teardown). */
  forgetPod(podUid: string): void {
    for (const [key, entry] of this.cache) if (entry.podUid === podUid) this.cache.delete(key);
  }
}
