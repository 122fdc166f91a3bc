import { ApiError, type ErrorCode } from '@tugboat/core';

/**
 * Translates anything thrown by the etcd3 client, gRPC or cockatiel into an {@link ApiError}. This is
 * the package's only edge to native errors: etcd3's error classes are matched by name and message so
 * no library type leaks out, and the original is kept as `cause` for debugging.
 */
export function translateError(err: unknown, what: string): ApiError {
  if (ApiError.is(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.constructor.name : typeof err;
  const code = classify(name, message);
  return new ApiError(code, `etcd ${what}: ${describe(code, message)}`, {}, { cause: err });
}

function classify(name: string, message: string): ErrorCode {
  if (/required revision has been compacted/.test(message)) return 'Gone';
  if (/required revision is a future revision/.test(message)) return 'Invalid';
  if (/request is too large|larger than max|message too large/i.test(message)) return 'RequestEntityTooLarge';
  if (/permission denied/.test(message) || name === 'EtcdPermissionDeniedError') return 'Forbidden';
  if (/invalid auth token|authentication failed|user name not found/.test(message)) return 'Unauthorized';
  if (name === 'GRPCUnauthenticatedError') return 'Unauthorized';
  if (
    /etcdserver: (request timed out|leader changed|no leader|not capable|server stopped|too many requests|request cancelled)/.test(
      message,
    )
  ) {
    return 'Unavailable';
  }
  if (
    /^(GRPCUnavailableError|GRPCDeadlineExceededError|GRPCCancelledError|GRPCAbortedError|ClientClosedError|BrokenCircuitError|TaskCancelledError|EtcdWatchStreamEnded)$/.test(
      name,
    ) ||
    /UNAVAILABLE|DEADLINE_EXCEEDED|circuit breaker is open|No connection established|ECONNREFUSED|Deadline exceeded/i.test(
      message,
    )
  ) {
    return 'Unavailable';
  }
  if (name === 'GRPCInvalidArgumentError' || name === 'GRPCOutOfRangeError') return 'BadRequest';
  return 'Internal';
}

function describe(code: ErrorCode, message: string): string {
  const clean = message.replace(/^\w*Error: /, '');
  const why = explanations[code];
  return why === undefined ? clean : `${why} (${clean})`;
}

/** What etcd's terse message means, for the codes where it is not obvious. */
const explanations: Partial<Record<ErrorCode, string>> = {
  Gone: 'the requested revision has been compacted',
  Invalid: "the requested revision is newer than the store's current revision",
  RequestEntityTooLarge: "the request exceeds etcd's request size limit",
  Unavailable: 'etcd is unavailable',
};

/** An `Unavailable` error for an operation that outlived the store's request timeout. */
export function timeoutError(what: string, timeoutMs: number): ApiError {
  return new ApiError(
    'Unavailable',
    `etcd ${what}: no answer within ${timeoutMs} ms (etcd is unavailable or overloaded)`,
  );
}
