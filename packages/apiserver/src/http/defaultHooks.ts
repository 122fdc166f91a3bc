import { ApiError } from '@tugboat/core';

import { systemAdmin } from '../registry/RequestContext.js';
import type { Authenticator, Authorizer, NodeProxy } from './hooks.js';

/** The default {@link Authenticator}: everyone is `system:admin` in `system:masters` (tests, embedding). */
export const adminAuthenticator: Authenticator = {
  authenticate: () => Promise.resolve(systemAdmin),
};

/** The default {@link Authorizer}: allows everything. */
export const allowAllAuthorizer: Authorizer = {
  authorize: () => Promise.resolve({ allowed: true }),
};

/** The default {@link NodeProxy}: no node agent is connected, so log/exec/attach/portforward are unavailable. */
export const unavailableNodeProxy: NodeProxy = {
  handle: () => Promise.reject(new ApiError('Unavailable', 'no node agent connection')),
};
