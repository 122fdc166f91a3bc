import { ApiError } from '@tugboat/core';

/** Largest value accepted, in UTF-8 bytes (etcd's default request limit is 1.5 MiB; we allow more). */
export const defaultMaxValueBytes = 16 * 1024 * 1024;

/** Rejects a key the store cannot hold faithfully: not a string, empty, NUL, or ill-formed UTF-16. */
export function validateKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw invalid('key', `must be a string, got ${typeof key}`);
  if (key.length === 0) throw invalid('key', 'Required value: the key must not be empty');
  if (key.includes('\u0000')) throw invalid('key', 'must not contain NUL characters');
  // A lone surrogate has no UTF-8 form: it would be silently replaced on disk or in etcd.
  if (!isWellFormed(key)) throw invalid('key', 'must be well-formed Unicode (lone surrogate)');
}

/** Rejects a value that is not a well-formed string within `maxBytes`. */
export function validateValue(value: unknown, maxBytes: number): asserts value is string {
  if (typeof value !== 'string') throw invalid('value', `must be a string, got ${typeof value}`);
  if (!isWellFormed(value)) throw invalid('value', 'must be well-formed Unicode (lone surrogate)');
  // UTF-16 length * 3 bounds the UTF-8 length, so most values skip the exact count.
  if (value.length * 3 > maxBytes && Buffer.byteLength(value) > maxBytes) {
    throw new ApiError(
      'RequestEntityTooLarge',
      `value of ${Buffer.byteLength(value)} bytes exceeds the limit of ${maxBytes}`,
    );
  }
}

/** Rejects a revision argument that is not a non-negative safe integer. */
export function validateRevision(name: string, revision: unknown): asserts revision is number {
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) {
    throw invalid(name, `must be a non-negative integer, got ${String(revision)}`);
  }
}

function invalid(field: string, message: string): ApiError {
  return new ApiError('Invalid', `${field}: ${message}`, {
    causes: [{ reason: 'FieldValueInvalid', field, message }],
  });
}

/** `String.prototype.isWellFormed` (Node 20 has it; TypeScript's ES2023 lib does not declare it). */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
