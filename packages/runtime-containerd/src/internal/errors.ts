import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ApiError, errors, imagePullError, type ErrorCode, type ImagePullReason } from '@tugboat/core';

import type { CriMethod } from './criTypes.js';

/** What a failed call was about, so its error can say so. */
export interface CallContext {
  readonly method: CriMethod;
  readonly socket: string;
  readonly timeoutMs: number;
  /** The sandbox id, container id or image reference the call was about. */
  readonly subject?: string;
}

/** Methods whose NotFound is about a sandbox (CreateContainer's, when not about its image). */
const sandboxMethods: ReadonlySet<CriMethod> = new Set<CriMethod>([
  'CreateContainer',
  'RunPodSandbox',
  'StopPodSandbox',
  'RemovePodSandbox',
  'PodSandboxStatus',
]);

function isServiceError(err: unknown): err is ServiceError {
  return (
    typeof err === 'object' && err !== null && 'code' in err && typeof (err as ServiceError).code === 'number'
  );
}

/**
 * Translates whatever a CRI call threw into an {@link ApiError}, keeping the original as `cause`.
 * No gRPC error leaves the package: every code has a home here, and anything unexpected is
 * `Internal` with the runtime's own message.
 */
export function translateError(err: unknown, ctx: CallContext): ApiError {
  if (ApiError.is(err)) return err;
  const details = isServiceError(err)
    ? err.details || err.message
    : err instanceof Error
      ? err.message
      : String(err);
  const code = isServiceError(err) ? err.code : GrpcStatus.UNKNOWN;
  const subject = ctx.subject ?? '';

  // A pull that outlives its deadline is the registry's fault far more often than containerd's (a
  // registry that accepts connections and never answers): ErrImagePull, not a runtime timeout.
  if (ctx.method === 'PullImage' && code === GrpcStatus.DEADLINE_EXCEEDED) {
    return imagePullError(
      subject,
      'Unavailable',
      `pull did not finish within ${ctx.timeoutMs} ms (registry slow or not answering): ${details}`,
      err,
    );
  }

  // The connection itself failed: the daemon is down, not the request wrong.
  if (code === GrpcStatus.UNAVAILABLE) {
    return new ApiError(
      'Unavailable',
      `containerd at ${ctx.socket} is unavailable (${ctx.method}): ${details}`,
      {},
      { cause: err },
    );
  }
  if (code === GrpcStatus.DEADLINE_EXCEEDED) {
    return new ApiError(
      'Timeout',
      `containerd at ${ctx.socket} did not answer ${ctx.method}${subject ? ` for ${subject}` : ''} within ${ctx.timeoutMs} ms`,
      {},
      { cause: err },
    );
  }
  if (code === GrpcStatus.CANCELLED) {
    return new ApiError('Unavailable', `${ctx.method} was cancelled: ${details}`, {}, { cause: err });
  }

  if (ctx.method === 'PullImage') return pullError(subject, details, err);

  if (
    ctx.method === 'CreateContainer' &&
    /image/i.test(details) &&
    (code === GrpcStatus.NOT_FOUND || /not found/i.test(details))
  ) {
    return imagePullError(
      imageInMessage(details) ?? subject,
      'NotFound',
      `image is not present: ${details}`,
      err,
    );
  }
  if (
    (ctx.method === 'ImageStatus' || ctx.method === 'RemoveImage') &&
    /parse|invalid reference/i.test(details)
  ) {
    return imagePullError(subject, 'InvalidImageName', `invalid image reference: ${details}`, err);
  }

  // containerd sometimes wraps its NotFound in UNKNOWN; its message then ends in ": not found".
  if (code === GrpcStatus.NOT_FOUND || /: not found$/.test(details)) {
    const kind = sandboxMethods.has(ctx.method)
      ? 'PodSandbox'
      : ctx.method === 'RemoveImage'
        ? 'Image'
        : 'Container';
    const e = errors.notFound(kind, subject);
    return new ApiError('NotFound', `${e.message}: ${details}`, e.details, { cause: err });
  }
  const mapped = codeOf.get(code);
  if (mapped)
    return new ApiError(
      mapped,
      `${ctx.method}${subject ? ` (${subject})` : ''}: ${details}`,
      { name: subject },
      { cause: err },
    );
  return new ApiError(
    'Internal',
    `containerd ${ctx.method}${subject ? ` (${subject})` : ''} failed: ${details}`,
    {},
    { cause: err },
  );
}

/** The remaining gRPC codes that have a closer home than `Internal`. */
const codeOf = new Map<GrpcStatus, ErrorCode>([
  [GrpcStatus.ALREADY_EXISTS, 'AlreadyExists'],
  [GrpcStatus.INVALID_ARGUMENT, 'BadRequest'],
  [GrpcStatus.OUT_OF_RANGE, 'BadRequest'],
  [GrpcStatus.FAILED_PRECONDITION, 'Conflict'],
  [GrpcStatus.PERMISSION_DENIED, 'Forbidden'],
  [GrpcStatus.UNAUTHENTICATED, 'Unauthorized'],
  [GrpcStatus.RESOURCE_EXHAUSTED, 'TooManyRequests'],
  [GrpcStatus.UNIMPLEMENTED, 'MethodNotAllowed'],
]);

/** Sorts a failed pull into the contract's reasons by what containerd said. */
function pullError(image: string, details: string, err: unknown): ApiError {
  const reason: ImagePullReason =
    /parse|invalid reference|repository name must|invalid tag|invalid format/i.test(details)
      ? 'InvalidImageName'
      : /401|403|unauthori[sz]ed|authori[sz]ation|denied/i.test(details)
        ? 'Unauthorized'
        : /not found|404|manifest unknown|name unknown/i.test(details)
          ? 'NotFound'
          : 'Unavailable';
  return imagePullError(image, reason, `pull failed: ${details}`, err);
}

function imageInMessage(details: string): string | undefined {
  return /image "([^"]+)"/.exec(details)?.[1];
}
