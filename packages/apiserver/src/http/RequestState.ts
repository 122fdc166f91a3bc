import type { IncomingMessage, ServerResponse } from 'node:http';

import type { ResourceDefinition } from '@tugboat/core';

import type { UserInfo } from '../registry/RequestContext.js';
import type { RequestInfo } from './requestInfo.js';

/** One resource request on its way through the handlers: the raw exchange plus what was resolved. */
export interface RequestState {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly info: RequestInfo;
  readonly query: URLSearchParams;
  readonly user: UserInfo;
  readonly def: ResourceDefinition;
  readonly pretty: boolean;
}
