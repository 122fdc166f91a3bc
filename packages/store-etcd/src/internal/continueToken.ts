import { ApiError } from '@tugboat/core';

/** What a list continue token carries: the last key returned and the revision the list is pinned to. */
export interface ContinuePosition {
  readonly key: string;
  readonly revision: number;
}

/** Encodes a continue token (base64url JSON, opaque to callers). */
export function encodeContinue(pos: ContinuePosition): string {
  return Buffer.from(JSON.stringify({ k: pos.key, r: pos.revision }), 'utf8').toString('base64url');
}

/** Decodes a continue token issued for `prefix`; anything else is a `BadRequest`. */
export function decodeContinue(token: string, prefix: string): ContinuePosition {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new ApiError('BadRequest', `invalid continue token: not a token issued by this store`);
  }
  const { k, r } = (parsed ?? {}) as { k?: unknown; r?: unknown };
  if (typeof k !== 'string' || typeof r !== 'number' || !Number.isSafeInteger(r) || r <= 0) {
    throw new ApiError('BadRequest', 'invalid continue token: missing key or revision');
  }
  if (!k.startsWith(prefix)) {
    throw new ApiError(
      'BadRequest',
      `invalid continue token: it was issued for a different prefix than "${prefix}"`,
    );
  }
  return { key: k, revision: r };
}
