import { ApiError, errors } from '@tugboat/core';

/** What a failed Engine call was about, so its error can name the object and the socket. */
export interface CallContext {
  readonly socketPath: string;
  readonly kind: 'container' | 'sandbox' | 'image' | 'exec' | 'engine';
  readonly name?: string;
}

interface ModemError {
  readonly statusCode?: number;
  readonly code?: string;
  readonly reason?: string;
  readonly json?: { readonly message?: string } | null;
  readonly message?: string;
  readonly name?: string;
}

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ECONNRESET',
  'EPIPE',
  'EACCES',
  'ENOTSOCK',
  'ETIMEDOUT',
]);

/** The Engine's own words for a failure: its JSON `message` when it sent one. */
export function engineMessage(err: unknown): string {
  const e = (err ?? {}) as ModemError;
  const json = e.json;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message;
  if (Buffer.isBuffer(json)) return json.toString().trim();
  return e.message ?? String(err);
}

/** True when the Engine answered with this HTTP status. */
export function hasStatus(err: unknown, ...codes: number[]): boolean {
  const status = (err as ModemError | undefined)?.statusCode;
  return typeof status === 'number' && codes.includes(status);
}

/**
 * Translates a dockerode / docker-modem / socket error into an {@link ApiError}, so no library error
 * leaves the package. ApiErrors pass through unchanged.
 */
export function translateError(err: unknown, ctx: CallContext): ApiError {
  if (ApiError.is(err)) return err;
  const e = (err ?? {}) as ModemError;
  const name = ctx.name ?? '';
  if (e.code !== undefined && connectionCodes.has(e.code)) {
    return new ApiError(
      'Unavailable',
      `Docker Engine at unix://${ctx.socketPath} is unavailable (${e.code})`,
      {},
      { cause: err },
    );
  }
  if (e.name === 'AbortError' || e.code === 'ABORT_ERR') {
    return new ApiError(
      'Timeout',
      `Docker Engine at unix://${ctx.socketPath} did not answer in time`,
      {},
      { cause: err },
    );
  }
  const message = engineMessage(err);
  switch (e.statusCode ?? 0) {
    case 404: {
      const found = errors.notFound(ctx.kind, name);
      return new ApiError('NotFound', `${found.message}: ${message}`, found.details, { cause: err });
    }
    case 409:
      return /already in use/i.test(message)
        ? new ApiError(
            'AlreadyExists',
            `${ctx.kind} "${name}" already exists: ${message}`,
            { name, kind: ctx.kind },
            { cause: err },
          )
        : new ApiError(
            'Conflict',
            `${ctx.kind} "${name}": ${message}`,
            { name, kind: ctx.kind },
            { cause: err },
          );
    case 400:
      return new ApiError(
        'BadRequest',
        `${ctx.kind} "${name}": ${message}`,
        { name, kind: ctx.kind },
        { cause: err },
      );
    case 401:
    case 403:
      return new ApiError(
        'Forbidden',
        `${ctx.kind} "${name}": ${message}`,
        { name, kind: ctx.kind },
        { cause: err },
      );
    case 503:
      return new ApiError(
        'Unavailable',
        `Docker Engine at unix://${ctx.socketPath}: ${message}`,
        {},
        { cause: err },
      );
    default:
      return new ApiError(
        'Internal',
        `Docker Engine at unix://${ctx.socketPath}: ${message}`,
        { name, kind: ctx.kind },
        { cause: err },
      );
  }
}
