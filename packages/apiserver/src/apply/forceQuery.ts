import { ApiError } from '@tugboat/core';

/** The `force` query parameter of an apply: absent or `false` is false; `BadRequest` on other values. */
export function forceQuery(q: URLSearchParams): boolean {
  const v = q.get('force');
  if (v === null || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw new ApiError('BadRequest', `force: Invalid value: ${JSON.stringify(v)}: must be "true" or "false"`);
}
