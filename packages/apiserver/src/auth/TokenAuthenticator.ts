import type { UserInfo } from '../registry/RequestContext.js';

/**
 * Turns a bearer token into a user. Resolves `undefined` when the token is not one this
 * authenticator knows (another may), throws `Unauthorized` when it is its own but invalid.
 */
export interface TokenAuthenticator {
  authenticateToken(token: string): Promise<UserInfo | undefined>;
}
