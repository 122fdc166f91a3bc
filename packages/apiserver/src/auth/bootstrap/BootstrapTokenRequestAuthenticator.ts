import type { IncomingMessage } from 'node:http';

import type { Authenticator } from '../../http/hooks.js';
import type { UserInfo } from '../../registry/RequestContext.js';
import { bearerToken } from '../bearerToken.js';
import { withAuthenticated } from '../users.js';
import type { BootstrapTokenAuthenticator } from './BootstrapTokenAuthenticator.js';
import { parseBootstrapToken } from './bootstrapToken.js';

/**
 * A request {@link Authenticator} that answers bearer tokens shaped like bootstrap tokens
 * (`<id>.<secret>`) with the {@link BootstrapTokenAuthenticator} and hands every other request
 * to `inner` (the cluster's certificate, static token and ServiceAccount authenticators). The two
 * never overlap: no other token kind has that shape.
 */
export class BootstrapTokenRequestAuthenticator implements Authenticator {
  constructor(
    private readonly inner: Authenticator,
    private readonly bootstrap: BootstrapTokenAuthenticator,
  ) {}

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const token = bearerToken(req);
    if (token === undefined || parseBootstrapToken(token) === undefined) return this.inner.authenticate(req);
    const user = await this.bootstrap.authenticateToken(token);
    return user === undefined ? undefined : withAuthenticated(user);
  }
}
