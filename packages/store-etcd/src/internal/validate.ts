import { ApiError } from '@tugboat/core';

/** Rejects a key etcd cannot hold faithfully: not a string, empty, or not well-formed Unicode. */
export function validateKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw invalid('key', `must be a string, got ${typeof key}`);
  if (key.length === 0) throw invalid('key', 'Required value: the key must not be empty');
  // etcd could hold NUL, but other stores cannot, and continue tokens append NUL to a key.
  if (key.includes('\u0000')) throw invalid('key', 'must not contain NUL characters');
  // A lone surrogate has no UTF-8 form: etcd would store a replacement character instead.
  if (!isWellFormed(key)) throw invalid('key', 'must be well-formed Unicode (lone surrogate)');
}

/** Rejects a prefix that is not a well-formed string (the empty prefix means everything). */
export function validatePrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw invalid('prefix', `must be a string, got ${typeof prefix}`);
  if (!isWellFormed(prefix)) throw invalid('prefix', 'must be well-formed Unicode (lone surrogate)');
}

/** Rejects a value that is not a well-formed string. */
export function validateValue(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw invalid('value', `must be a string, got ${typeof value}`);
  if (!isWellFormed(value)) throw invalid('value', 'must be well-formed Unicode (lone surrogate)');
}

/** Rejects a revision argument that is not a non-negative safe integer. */
export function validateRevision(name: string, revision: unknown): asserts revision is number {
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) {
    throw invalid(name, `must be a non-negative integer, got ${String(revision)}`);
  }
}

/** An `Invalid` error naming the bad argument, as the registry reports bad fields. */
export function invalid(field: string, message: string): ApiError {
  return new ApiError('Invalid', `${field}: ${message}`, {
    causes: [{ reason: 'FieldValueInvalid', field, message }],
  });
}

function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
