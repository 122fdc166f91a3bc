import { timingSafeEqual } from 'node:crypto';

import { ApiError, type corev1 } from '@tugboat/core';

import type { UserInfo } from '../../registry/RequestContext.js';
import type { TokenAuthenticator } from '../TokenAuthenticator.js';
import {
  bootstrappersGroup,
  bootstrapTokenSecretType,
  bootstrapUserPrefix,
  parseBootstrapToken,
} from './bootstrapToken.js';

/** Reads the Secret of token `id` (`kube-system/bootstrap-token-<id>`); `undefined` when absent. */
export type BootstrapTokenSecretLookup = (id: string) => Promise<corev1.Secret | undefined>;

/**
 * The bootstrap token authenticator, as upstream's: a bearer token `<id>.<secret>` is user
 * `system:bootstrap:<id>` in `system:bootstrappers` (and the Secret's `auth-extra-groups`) when
 * `kube-system/bootstrap-token-<id>` is a `bootstrap.kubernetes.io/token` Secret with that secret,
 * `usage-bootstrap-authentication: true`, not expired and not being deleted. Tokens of another
 * shape are not its own (`undefined`); its own that fail are `Unauthorized`.
 */
export class BootstrapTokenAuthenticator implements TokenAuthenticator {
  constructor(
    private readonly lookup: BootstrapTokenSecretLookup,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const parsed = parseBootstrapToken(token);
    if (parsed === undefined) return undefined;
    // One message for every failure, so a caller cannot probe which token ids exist.
    const refuse = (): ApiError => new ApiError('Unauthorized', 'Unauthorized: invalid bootstrap token');
    const secret = await this.lookup(parsed.id).catch(() => undefined);
    if (secret === undefined || secret.type !== bootstrapTokenSecretType) throw refuse();
    if (secret.metadata?.deletionTimestamp) throw refuse();
    const field = (key: string): string | undefined => {
      const b64 = secret.data?.[key];
      return b64 !== undefined ? Buffer.from(b64, 'base64').toString('utf8') : secret.stringData?.[key];
    };
    if (field('token-id') !== parsed.id) throw refuse();
    const stored = Buffer.from(field('token-secret') ?? '');
    const given = Buffer.from(parsed.secret);
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) throw refuse();
    if (field('usage-bootstrap-authentication') !== 'true') throw refuse();
    const expiration = field('expiration');
    if (expiration !== undefined) {
      const at = Date.parse(expiration);
      if (Number.isNaN(at) || at <= this.now().getTime()) throw refuse();
    }
    const extra = (field('auth-extra-groups') ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter((g) => g.startsWith(`${bootstrappersGroup}:`));
    return { name: `${bootstrapUserPrefix}${parsed.id}`, groups: [bootstrappersGroup, ...extra] };
  }
}
