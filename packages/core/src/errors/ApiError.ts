/**
 * The error vocabulary of Tugboat. Every code maps to one Kubernetes `Status` reason and HTTP code,
 * so an error raised anywhere (store, registry, runtime) can be served to kubectl unchanged.
 */
export type ErrorCode =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'TooManyRequests'
  | 'Internal'
  | 'Unavailable'
  | 'Timeout'
  /** A container image could not be pulled or is not present (runtime); see `imagePullReason`. */
  | 'ImagePull';

/** For each code, the Kubernetes `Status.reason` and HTTP status code it is served as. */
export const errorCodes: { readonly [K in ErrorCode]: { readonly reason: string; readonly http: number } } = {
  BadRequest: { reason: 'BadRequest', http: 400 },
  Unauthorized: { reason: 'Unauthorized', http: 401 },
  Forbidden: { reason: 'Forbidden', http: 403 },
  NotFound: { reason: 'NotFound', http: 404 },
  MethodNotAllowed: { reason: 'MethodNotAllowed', http: 405 },
  NotAcceptable: { reason: 'NotAcceptable', http: 406 },
  AlreadyExists: { reason: 'AlreadyExists', http: 409 },
  Conflict: { reason: 'Conflict', http: 409 },
  // Kubernetes serves a too-old resourceVersion as reason Expired; clients treat any 410 as "relist".
  Gone: { reason: 'Expired', http: 410 },
  RequestEntityTooLarge: { reason: 'RequestEntityTooLarge', http: 413 },
  UnsupportedMediaType: { reason: 'UnsupportedMediaType', http: 415 },
  Invalid: { reason: 'Invalid', http: 422 },
  TooManyRequests: { reason: 'TooManyRequests', http: 429 },
  Internal: { reason: 'InternalError', http: 500 },
  Unavailable: { reason: 'ServiceUnavailable', http: 503 },
  Timeout: { reason: 'Timeout', http: 504 },
  // Not a Kubernetes Status reason: the kubelet turns it into the ErrImagePull waiting reason. 502
  // because the failure lies upstream (registry or image store), and no other code uses it.
  ImagePull: { reason: 'ErrImagePull', http: 502 },
};

/** One invalid field, as in Kubernetes `StatusCause` (`spec.containers[0].image: Required value`). */
export interface StatusCause {
  readonly reason: string;
  readonly field?: string;
  readonly message: string;
}

/** What a `Status.details` names: the object the error is about and, for `Invalid`, every cause. */
export interface ErrorDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** The Kubernetes `meta/v1 Status` object as served on the wire. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: ErrorDetails;
  code?: number;
}

const brand = Symbol.for('@tugboat/core/ApiError');

/**
 * The one error class of Tugboat: a `code` from {@link ErrorCode}, a human message, optional details,
 * and the underlying `cause` when a library error was translated.
 */
export class ApiError extends Error {
  readonly [brand] = true;
  override readonly name = 'ApiError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for an ApiError (from any copy of this package), optionally of one of the given codes. */
  static is(value: unknown, ...codes: ErrorCode[]): value is ApiError {
    if (typeof value !== 'object' || value === null || !(brand in value)) return false;
    return codes.length === 0 || codes.includes((value as ApiError).code);
  }

  /** The HTTP status code this error is served with. */
  get httpStatus(): number {
    return errorCodes[this.code].http;
  }

  /** The Kubernetes `Status` object for this error. */
  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: errorCodes[this.code].reason,
      details: this.details,
      code: this.httpStatus,
    };
  }

  /** Rebuilds an ApiError from a `Status` received over HTTP (the inverse of {@link toStatus}). */
  static fromStatus(status: Partial<Status>, httpStatus?: number): ApiError {
    const code =
      (Object.keys(errorCodes) as ErrorCode[]).find((c) => errorCodes[c].reason === status.reason) ??
      codeForHttp(status.code ?? httpStatus ?? 500);
    return new ApiError(code, status.message ?? errorCodes[code].reason, status.details ?? {});
  }
}

function codeForHttp(http: number): ErrorCode {
  const found = (Object.keys(errorCodes) as ErrorCode[]).find((c) => errorCodes[c].http === http);
  return found ?? (http >= 500 ? 'Internal' : 'BadRequest');
}

/** Shorthands for the errors raised most. */
export const errors = {
  notFound: (kind: string, name: string, group = ''): ApiError =>
    new ApiError('NotFound', `${qualified(kind, group)} "${name}" not found`, { name, kind, group }),
  alreadyExists: (kind: string, name: string, group = ''): ApiError =>
    new ApiError('AlreadyExists', `${qualified(kind, group)} "${name}" already exists`, {
      name,
      kind,
      group,
    }),
  conflict: (
    kind: string,
    name: string,
    group = '',
    why = 'the object has been modified; please apply your changes to the latest version and try again',
  ): ApiError =>
    new ApiError('Conflict', `Operation cannot be fulfilled on ${qualified(kind, group)} "${name}": ${why}`, {
      name,
      kind,
      group,
    }),
  invalid: (kind: string, name: string, causes: readonly StatusCause[], group = ''): ApiError =>
    new ApiError(
      'Invalid',
      `${kind} "${name}" is invalid: ${causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ')}`,
      { name, kind, group, causes },
    ),
  gone: (message: string): ApiError => new ApiError('Gone', message),
};

function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

/**
 * Swallows a `NotFound` error and rethrows anything else, for reads where absence is an answer:
 * `const pod = await api.get(Pods, name).catch(ignoreNotFound)`.
 */
export function ignoreNotFound(err: unknown): undefined {
  if (ApiError.is(err, 'NotFound')) return undefined;
  throw err;
}
