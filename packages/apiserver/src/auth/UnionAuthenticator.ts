import type { IncomingMessage } from 'node:http';

import { ApiError } from '@tugboat/core';

import type { Authenticator } from '../http/hooks.js';
import type { UserInfo } from '../registry/RequestContext.js';
import { bearerToken } from './bearerToken.js';
import type { TokenAuthenticator } from './TokenAuthenticator.js';
import { withAuthenticated } from './users.js';

/**
 * The union {@link Authenticator}, as upstream's request authenticator: request authenticators
 * (client certificates) first, then the bearer token through each token authenticator in turn.
 * A token none of them accepts is `Unauthorized`; a request with no credentials is anonymous
 * (`undefined`). Every user it returns is also in `system:authenticated`.
 */
export class UnionAuthenticator implements Authenticator {
  constructor(
    private readonly requestAuthenticators: readonly Authenticator[],
    private readonly tokenAuthenticators: readonly TokenAuthenticator[],
  ) {}

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    let failure: Error | undefined;
    for (const authenticator of this.requestAuthenticators) {
      try {
        const user = await authenticator.authenticate(req);
        if (user !== undefined) return withAuthenticated(user);
      } catch (err) {
        failure ??= err instanceof Error ? err : new ApiError('Unauthorized', 'Unauthorized');
      }
    }
    const token = bearerToken(req);
    if (token !== undefined) {
      for (const authenticator of this.tokenAuthenticators) {
        const user = await authenticator.authenticateToken(token);
        if (user !== undefined) return withAuthenticated(user);
      }
      throw new ApiError('Unauthorized', 'Unauthorized: invalid bearer token');
    }
    if (failure !== undefined) throw failure;
    return undefined;
  }
}
