import { ApiError } from '@tugboat/core';

/** A volume failure as a plain message (the cause part of upstream's FailedMount event). */
export class MountFailure extends Error {
  constructor(
    message: string,
    readonly code: ApiError['code'],
  ) {
    super(message);
  }
}

/** The message and code of any failure while setting a volume up. */
export function asFailure(err: unknown): MountFailure {
  if (err instanceof MountFailure) return err;
  if (ApiError.is(err)) return new MountFailure(err.message, err.code);
  const e = err as NodeJS.ErrnoException;
  return new MountFailure(
    e instanceof Error ? e.message : String(err),
    e.code !== undefined ? 'Internal' : 'Invalid',
  );
}
