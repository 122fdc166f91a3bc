import { ApiError, resources, type ApiClient, type ResourceRef } from '@tugboat/core';

import type { UserInfo } from '../registry/RequestContext.js';
import type { ServiceAccountTokens } from './ServiceAccountTokens.js';
import type { TokenAuthenticator } from './TokenAuthenticator.js';
import { serviceAccountGroups, serviceAccountUsername } from './users.js';

/**
 * The ServiceAccount token {@link TokenAuthenticator}: verifies the JWT, then checks that the
 * ServiceAccount (and the pod the token is bound to) still exist with the uid in the token, so
 * deleting either revokes every token issued for it.
 */
export class ServiceAccountAuthenticator implements TokenAuthenticator {
  constructor(
    private readonly tokens: ServiceAccountTokens,
    /** A client that may read ServiceAccounts and pods (the in-process client). */
    private readonly client: ApiClient,
  ) {}

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    if (!this.tokens.isOurs(token)) return undefined;
    const claims = await this.tokens.verify(token);
    const { namespace } = claims;
    await this.checkExists(resources.ServiceAccounts, 'service account', namespace, claims.serviceAccount);
    if (claims.pod) await this.checkExists(resources.Pods, 'pod', namespace, claims.pod);
    const extra: Record<string, string[]> = {
      'authentication.kubernetes.io/credential-id': [`JTI=${claims.id}`],
    };
    if (claims.pod) {
      extra['authentication.kubernetes.io/pod-name'] = [claims.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [claims.pod.uid];
    }
    return {
      name: serviceAccountUsername(namespace, claims.serviceAccount.name),
      uid: claims.serviceAccount.uid,
      groups: serviceAccountGroups(namespace),
      extra,
    };
  }

  private async checkExists(
    resource: ResourceRef,
    what: string,
    namespace: string,
    ref: { name: string; uid: string },
  ): Promise<void> {
    let uid: string | undefined;
    try {
      uid = (await this.client.get(resource, ref.name, { namespace })).metadata?.uid;
    } catch (err) {
      if (!ApiError.is(err, 'NotFound')) throw err;
    }
    if (uid === undefined) {
      throw new ApiError('Unauthorized', `Unauthorized: ${what} ${namespace}/${ref.name} has been deleted`);
    }
    if (uid !== ref.uid) {
      throw new ApiError(
        'Unauthorized',
        `Unauthorized: ${what} ${namespace}/${ref.name} has been recreated (uid ${uid}, token for ${ref.uid})`,
      );
    }
  }
}
