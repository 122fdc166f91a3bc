import type { ServerResponse } from 'node:http';

import { ApiError } from '@tugboat/core';

/** Writes a JSON response (`pretty` indents it, as `?pretty=true` asks). */
export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  pretty = false,
  headers: Record<string, string> = {},
): void {
  const text = pretty ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Writes an error as a Kubernetes `Status`. Anything that is not an ApiError becomes a generic
 * InternalError whose message names no internals (the cause stays in the server log only).
 */
export function sendError(res: ServerResponse, err: unknown): number {
  const apiError = ApiError.is(err) ? err : new ApiError('Internal', 'an internal error occurred');
  const status = apiError.toStatus();
  const headers: Record<string, string> = {};
  if (apiError.details.retryAfterSeconds !== undefined)
    headers['Retry-After'] = String(apiError.details.retryAfterSeconds);
  if (res.headersSent) {
    res.destroy();
    return apiError.httpStatus;
  }
  sendJson(res, apiError.httpStatus, status, false, headers);
  return apiError.httpStatus;
}
