import { ApiError } from '@tugboat/core';

/** Where a paginated list resumes: after `key`, read at `revision`. */
export interface ContinuePosition {
  readonly key: string;
  readonly revision: number;
}

const tokenPattern = /^[A-Za-z0-9_-]+$/;

/** Encodes a position as an opaque base64url token. */
export function encodeContinue(position: ContinuePosition): string {
  return Buffer.from(JSON.stringify({ k: position.key, r: position.revision }), 'utf8').toString('base64url');
}

/** Decodes a token from {@link encodeContinue}; anything else is `BadRequest`. */
export function decodeContinue(token: string): ContinuePosition {
  if (typeof token !== 'string' || !tokenPattern.test(token)) throw malformed();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (typeof parsed !== 'object' || parsed === null) throw malformed();
  const { k, r } = parsed as { k?: unknown; r?: unknown };
  if (typeof k !== 'string' || typeof r !== 'number' || !Number.isSafeInteger(r) || r < 0) throw malformed();
  return { key: k, revision: r };
}

function malformed(): ApiError {
  return new ApiError(
    'BadRequest',
    'continue key is not valid: it must be a token returned by a previous list',
  );
}
