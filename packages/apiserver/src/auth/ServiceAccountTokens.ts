import { createHash, createPublicKey, randomUUID } from 'node:crypto';

import { ApiError } from '@tugboat/core';
import {
  decodeJwt,
  importPKCS8,
  importSPKI,
  jwtVerify,
  SignJWT,
  errors as joseErrors,
  type CryptoKey,
} from 'jose';

import { serviceAccountUsername } from './users.js';

/** The default issuer (`iss`) of ServiceAccount tokens, as kubeadm's `--service-account-issuer`. */
export const defaultIssuer = 'https://kubernetes.default.svc.cluster.local';

/** A reference to an object a token is bound to. */
export interface BoundObject {
  readonly name: string;
  readonly uid: string;
}

/** What a ServiceAccount token asserts (the `kubernetes.io` claim plus the registered claims). */
export interface ServiceAccountClaims {
  readonly namespace: string;
  readonly serviceAccount: BoundObject;
  readonly pod?: BoundObject;
  readonly audiences: readonly string[];
  readonly expiresAt: Date;
  /** The token's `jti`, upstream's credential id. */
  readonly id: string;
}

/** Options of {@link ServiceAccountTokens.create}. */
export interface ServiceAccountTokenOptions {
  /** The ES256 signing key pair (PKCS#8 and SPKI PEM, from the cluster PKI). */
  readonly privatePem: string;
  readonly publicPem: string;
  /** `iss` of issued tokens and the only issuer accepted (default {@link defaultIssuer}). */
  readonly issuer?: string;
  /** Audiences this API server accepts; the default audiences of a TokenRequest (default: the issuer). */
  readonly apiAudiences?: readonly string[];
}

interface KubernetesClaim {
  namespace?: unknown;
  serviceaccount?: { name?: unknown; uid?: unknown };
  pod?: { name?: unknown; uid?: unknown };
}

/**
 * Issues and verifies ServiceAccount tokens: ES256 JWTs signed with the cluster's ServiceAccount
 * key, shaped as upstream's bound tokens (`sub` = `system:serviceaccount:<ns>:<name>`, a
 * `kubernetes.io` claim naming the ServiceAccount and optional pod with their uids).
 */
export class ServiceAccountTokens {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    private readonly keyId: string,
    readonly issuer: string,
    readonly apiAudiences: readonly string[],
  ) {}

  /** Imports the key pair. */
  static async create(options: ServiceAccountTokenOptions): Promise<ServiceAccountTokens> {
    const issuer = options.issuer ?? defaultIssuer;
    const der = createPublicKey(options.publicPem).export({ type: 'spki', format: 'der' });
    return new ServiceAccountTokens(
      await importPKCS8(options.privatePem, 'ES256'),
      await importSPKI(options.publicPem, 'ES256'),
      createHash('sha256').update(der).digest('base64url'),
      issuer,
      options.apiAudiences && options.apiAudiences.length > 0 ? options.apiAudiences : [issuer],
    );
  }

  /** Signs a token for a ServiceAccount (and optionally a pod) valid for `expirationSeconds`. */
  async issue(request: {
    namespace: string;
    serviceAccount: BoundObject;
    pod?: BoundObject;
    audiences?: readonly string[];
    expirationSeconds: number;
  }): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + request.expirationSeconds;
    const audiences =
      request.audiences && request.audiences.length > 0 ? request.audiences : this.apiAudiences;
    const claim: Record<string, unknown> = {
      namespace: request.namespace,
      serviceaccount: { name: request.serviceAccount.name, uid: request.serviceAccount.uid },
      ...(request.pod ? { pod: { name: request.pod.name, uid: request.pod.uid } } : {}),
    };
    const token = await new SignJWT({ 'kubernetes.io': claim })
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId })
      .setIssuer(this.issuer)
      .setSubject(serviceAccountUsername(request.namespace, request.serviceAccount.name))
      .setAudience([...audiences])
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** True when `token` is a JWT claiming this issuer, so a failure to verify it is final. */
  isOurs(token: string): boolean {
    try {
      return decodeJwt(token).iss === this.issuer;
    } catch {
      return false;
    }
  }

  /** Verifies signature, issuer, audience and time; any failure is `Unauthorized`. */
  async verify(token: string): Promise<ServiceAccountClaims> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, {
        issuer: this.issuer,
        audience: [...this.apiAudiences],
        algorithms: ['ES256'],
      }));
    } catch (err) {
      throw new ApiError('Unauthorized', `Unauthorized: invalid bearer token: ${describe(err)}`);
    }
    const k8s = payload['kubernetes.io'] as KubernetesClaim | undefined;
    const namespace = k8s?.namespace;
    const sa = k8s?.serviceaccount;
    if (typeof namespace !== 'string' || typeof sa?.name !== 'string' || typeof sa.uid !== 'string') {
      throw new ApiError(
        'Unauthorized',
        'Unauthorized: invalid bearer token: no kubernetes.io service account claim',
      );
    }
    if (payload.sub !== serviceAccountUsername(namespace, sa.name)) {
      throw new ApiError(
        'Unauthorized',
        'Unauthorized: invalid bearer token: subject does not match the service account claim',
      );
    }
    const pod = k8s?.pod;
    const aud = payload.aud;
    return {
      namespace,
      serviceAccount: { name: sa.name, uid: sa.uid },
      ...(typeof pod?.name === 'string' && typeof pod.uid === 'string'
        ? { pod: { name: pod.name, uid: pod.uid } }
        : {}),
      audiences: aud === undefined ? [] : Array.isArray(aud) ? aud : [aud],
      expiresAt: new Date((payload.exp ?? 0) * 1000),
      id: payload.jti ?? '',
    };
  }
}

function describe(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token has expired';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature is invalid';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim "${err.claim}" is invalid`;
  return 'malformed token';
}
