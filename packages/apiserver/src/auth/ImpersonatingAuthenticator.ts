import type { IncomingMessage } from 'node:http';

import { ApiError } from '@tugboat/core';

import { forbiddenError } from '../http/forbidden.js';
import type { AuthorizationAttributes, Authenticator, Authorizer } from '../http/hooks.js';
import type { UserInfo } from '../registry/RequestContext.js';
import {
  allAuthenticated,
  allUnauthenticated,
  anonymousUser,
  parseServiceAccountUsername,
  serviceAccountGroups,
} from './users.js';

const extraPrefix = 'impersonate-extra-';

/**
 * Wraps an {@link Authenticator} with upstream's impersonation: `Impersonate-User`,
 * `Impersonate-Group`, `Impersonate-Uid` and `Impersonate-Extra-<key>` headers make the request
 * act as that user, once the authorizer allows the real user the `impersonate` verb on each
 * (`users`, `groups`, `serviceaccounts`, `authentication.k8s.io` `uids` and `userextras/<key>`).
 */
export class ImpersonatingAuthenticator implements Authenticator {
  constructor(
    private readonly inner: Authenticator,
    private readonly authorizer: Authorizer,
  ) {}

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const real = await this.inner.authenticate(req);
    const headers = req.headersDistinct;
    const names = headers['impersonate-user'] ?? [];
    const groups = headers['impersonate-group'] ?? [];
    const uids = headers['impersonate-uid'] ?? [];
    const extraKeys = Object.keys(headers).filter((h) => h.startsWith(extraPrefix));
    if (names.length === 0) {
      if (groups.length > 0 || uids.length > 0 || extraKeys.length > 0) {
        throw new ApiError(
          'BadRequest',
          'requested impersonation of groups, uid or extra fields without impersonating a user',
        );
      }
      return real;
    }
    if (real === undefined) return undefined;
    if (names.length > 1 || uids.length > 1)
      throw new ApiError(
        'BadRequest',
        'only one Impersonate-User and one Impersonate-Uid header are allowed',
      );
    const name = names[0] ?? '';
    const sa = parseServiceAccountUsername(name);
    if (sa !== undefined) {
      await this.check(real, {
        resource: 'serviceaccounts',
        apiGroup: '',
        namespace: sa.namespace,
        name: sa.name,
      });
    } else {
      await this.check(real, { resource: 'users', apiGroup: '', name });
    }
    for (const group of groups) await this.check(real, { resource: 'groups', apiGroup: '', name: group });
    const uid = uids[0];
    if (uid !== undefined)
      await this.check(real, { resource: 'uids', apiGroup: 'authentication.k8s.io', name: uid });
    const extra: Record<string, string[]> = {};
    for (const header of extraKeys) {
      const key = decodeURIComponent(header.slice(extraPrefix.length));
      const values = headers[header] ?? [];
      for (const value of values) {
        await this.check(real, {
          resource: 'userextras',
          subresource: key,
          apiGroup: 'authentication.k8s.io',
          name: value,
        });
      }
      extra[key] = values;
    }
    const all = sa !== undefined ? [...serviceAccountGroups(sa.namespace), ...groups] : [...groups];
    // As upstream: a non-anonymous impersonated user is authenticated unless told it is not.
    const implied = name === anonymousUser ? allUnauthenticated : allAuthenticated;
    if (!all.includes(allAuthenticated) && !all.includes(allUnauthenticated)) all.push(implied);
    return {
      name,
      ...(uid !== undefined ? { uid } : {}),
      groups: all,
      ...(extraKeys.length > 0 ? { extra } : {}),
    };
  }

  private async check(
    user: UserInfo,
    target: { resource: string; apiGroup: string; namespace?: string; name: string; subresource?: string },
  ): Promise<void> {
    const attributes: AuthorizationAttributes = {
      user,
      verb: 'impersonate',
      resourceRequest: true,
      apiGroup: target.apiGroup,
      apiVersion: '',
      resource: target.resource,
      ...(target.subresource !== undefined ? { subresource: target.subresource } : {}),
      ...(target.namespace !== undefined ? { namespace: target.namespace } : {}),
      name: target.name,
      path: '',
    };
    const decision = await this.authorizer.authorize(attributes);
    if (!decision.allowed) throw forbiddenError(attributes, decision.reason);
  }
}
