import type { AuthorizationAttributes, UserInfo } from '../../src/index.js';

/** The ordinary user the authorization tests ask about. */
export const jane: UserInfo = { name: 'jane', groups: ['dev', 'system:authenticated'] };

/** A resource request by jane (core group, v1 unless `extra` says otherwise). */
export function res(
  verb: string,
  resource: string,
  extra: Partial<AuthorizationAttributes> = {},
): AuthorizationAttributes {
  return {
    user: jane,
    verb,
    resourceRequest: true,
    apiGroup: '',
    apiVersion: 'v1',
    resource,
    path: '',
    ...extra,
  };
}

/** A non-resource request by jane. */
export function url(verb: string, path: string): AuthorizationAttributes {
  return { user: jane, verb, resourceRequest: false, apiGroup: '', apiVersion: '', resource: '', path };
}
