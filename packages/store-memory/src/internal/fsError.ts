import { ApiError } from '@tugboat/core';

/** Translates a Node file-system error into an `Internal` ApiError naming the operation and path. */
export function fsError(error: unknown, operation: string, path: string): ApiError {
  if (ApiError.is(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  return new ApiError(
    'Internal',
    `store-memory: cannot ${operation} ${path}: ${detail}`,
    {},
    { cause: error },
  );
}
