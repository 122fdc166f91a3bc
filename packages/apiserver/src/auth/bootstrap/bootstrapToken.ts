import { randomInt } from 'node:crypto';

import { metaTime, ApiError, type corev1 } from '@tugboat/core';

/** The Secret type of bootstrap tokens. */
export const bootstrapTokenSecretType = 'bootstrap.kubernetes.io/token';
/** The group every bootstrap token user is in. */
export const bootstrappersGroup = 'system:bootstrappers';
/** The namespace bootstrap token Secrets live in. */
export const bootstrapTokenNamespace = 'kube-system';
/** The user name prefix of bootstrap token users (`system:bootstrap:<id>`). */
export const bootstrapUserPrefix = 'system:bootstrap:';

const tokenPattern = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const groupPattern = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A bootstrap token split into its public id and its secret half. */
export interface BootstrapToken {
  readonly id: string;
  readonly secret: string;
}

/** Options of {@link bootstrapTokenSecret}. */
export interface BootstrapTokenSecretOptions {
  /** How long the token is valid from `now` (ms); absent or 0: it never expires. */
  readonly ttlMs?: number;
  /** Usages (default `authentication` and `signing`). */
  readonly usages?: readonly ('authentication' | 'signing')[];
  /** Extra groups (`system:bootstrappers:<name>`) the token's user is in. */
  readonly extraGroups?: readonly string[];
  readonly description?: string;
  readonly now?: Date;
}

/** Generates a random bootstrap token (`[a-z0-9]{6}.[a-z0-9]{16}`) from a CSPRNG. */
export function generateBootstrapToken(): BootstrapToken {
  const pick = (n: number): string =>
    Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)] ?? 'a').join('');
  return { id: pick(6), secret: pick(16) };
}

/** Parses `<id>.<secret>`; `undefined` when the text is not shaped like a bootstrap token. */
export function parseBootstrapToken(text: string): BootstrapToken | undefined {
  const m = tokenPattern.exec(text);
  return m?.[1] !== undefined && m[2] !== undefined ? { id: m[1], secret: m[2] } : undefined;
}

/** The token as written on a command line: `<id>.<secret>`. */
export function formatBootstrapToken(token: BootstrapToken): string {
  return `${token.id}.${token.secret}`;
}

/** The name of the Secret holding token `id`: `bootstrap-token-<id>`. */
export function bootstrapTokenSecretName(id: string): string {
  return `bootstrap-token-${id}`;
}

/**
 * The `kube-system/bootstrap-token-<id>` Secret of type `bootstrap.kubernetes.io/token` that
 * stands for `token`, as kubeadm writes it. Bad extra groups are `BadRequest`.
 */
export function bootstrapTokenSecret(
  token: BootstrapToken,
  options: BootstrapTokenSecretOptions = {},
): corev1.Secret {
  const usages = options.usages ?? ['authentication', 'signing'];
  const groups = options.extraGroups ?? [];
  for (const g of groups) {
    if (!groupPattern.test(g))
      throw new ApiError(
        'BadRequest',
        `bootstrap token extra group "${g}" must match ${groupPattern.source}`,
      );
  }
  const stringData: Record<string, string> = {
    'token-id': token.id,
    'token-secret': token.secret,
  };
  for (const u of usages) stringData[`usage-bootstrap-${u}`] = 'true';
  if (groups.length > 0) stringData['auth-extra-groups'] = groups.join(',');
  if (options.description !== undefined) stringData.description = options.description;
  if (options.ttlMs !== undefined && options.ttlMs > 0) {
    const now = options.now ?? new Date();
    stringData.expiration = metaTime(now.getTime() + options.ttlMs);
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: bootstrapTokenSecretName(token.id), namespace: bootstrapTokenNamespace },
    type: bootstrapTokenSecretType,
    data: Object.fromEntries(
      Object.entries(stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
  };
}
