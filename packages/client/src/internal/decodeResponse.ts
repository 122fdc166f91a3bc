import { ApiError, type Status } from '@tugboat/core';

import type { FullResponse } from './Transport.js';

/**
 * The value of a response: parsed JSON for JSON bodies, text otherwise (pod logs); an `ApiError`
 * rebuilt from the `Status` for failures (or from the HTTP code when the body is not a Status).
 */
export function decodeResponse(res: FullResponse): unknown {
  const isJson = res.contentType.startsWith('application/json');
  let value: unknown = res.body.toString();
  if (isJson && res.body.length > 0) {
    try {
      value = JSON.parse(res.body.toString()) as unknown;
    } catch {
      throw new ApiError('Internal', `the server sent malformed JSON (HTTP ${res.status})`);
    }
  }
  if (res.status >= 200 && res.status < 300) {
    if (isStatus(value) && value.status === 'Failure') throw ApiError.fromStatus(value, res.status);
    return value;
  }
  if (isStatus(value)) throw ApiError.fromStatus(value, res.status);
  const text = typeof value === 'string' ? value.slice(0, 200) : '';
  throw ApiError.fromStatus({ message: text || `the server answered HTTP ${res.status}` }, res.status);
}

/** Whether a value is a `Status` object. */
export function isStatus(value: unknown): value is Status {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}
