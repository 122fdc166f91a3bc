import type { StatusCause } from '@tugboat/core';

import type { FieldPath } from './FieldPath.js';
import { fieldError } from './fieldError.js';
import { formats, type FormatName } from './formats.js';
import { semanticEqual } from './semanticEqual.js';

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Common field checks, each returning the causes for one field (none when it is valid). Absent
 * values pass unless the check is about presence, so optional fields compose naturally.
 */
export const checks = {
  /** The value must be a non-empty string / present. */
  required(value: unknown, path: FieldPath, detail?: string): StatusCause[] {
    const missing =
      value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
    return missing ? [fieldError.required(path, detail)] : [];
  },
  /** An integer `>= min` (upstream's `ValidateNonnegativeField` when min is 0). */
  atLeast(value: unknown, min: number, path: FieldPath): StatusCause[] {
    if (value === undefined || value === null) return [];
    if (!isNumber(value) || !Number.isInteger(value))
      return [fieldError.invalid(path, value, 'must be an integer')];
    return value < min ? [fieldError.invalid(path, value, `must be greater than or equal to ${min}`)] : [];
  },
  /** An integer `> 0`. */
  positive(value: unknown, path: FieldPath): StatusCause[] {
    if (value === undefined || value === null) return [];
    if (!isNumber(value) || !Number.isInteger(value))
      return [fieldError.invalid(path, value, 'must be an integer')];
    return value <= 0 ? [fieldError.invalid(path, value, 'must be greater than 0')] : [];
  },
  /** An integer in `[min, max]`. */
  inRange(value: unknown, min: number, max: number, path: FieldPath): StatusCause[] {
    if (value === undefined || value === null) return [];
    if (!isNumber(value) || !Number.isInteger(value) || value < min || value > max) {
      return [fieldError.invalid(path, value, `must be between ${min} and ${max}, inclusive`)];
    }
    return [];
  },
  /** A port number, 1–65535. */
  port(value: unknown, path: FieldPath): StatusCause[] {
    return checks.inRange(value, 1, 65535, path);
  },
  /** One of a fixed set of strings; empty is `Required value` when `required` is set, else allowed. */
  oneOf(value: unknown, allowed: readonly string[], path: FieldPath, required = false): StatusCause[] {
    if (value === undefined || value === null || value === '')
      return required ? [fieldError.required(path)] : [];
    return typeof value === 'string' && allowed.includes(value)
      ? []
      : [fieldError.notSupported(path, value, allowed)];
  },
  /** A string in one of the {@link formats}; one cause per broken rule. Absent passes. */
  format(value: unknown, format: FormatName, path: FieldPath): StatusCause[] {
    if (value === undefined || value === null) return [];
    if (typeof value !== 'string') return [fieldError.invalid(path, value, 'must be a string')];
    return formats[format](value).map((m) => fieldError.invalid(path, value, m));
  },
  /** A string at most `max` bytes long. */
  maxBytes(value: unknown, max: number, path: FieldPath): StatusCause[] {
    return typeof value === 'string' && Buffer.byteLength(value) > max ? [fieldError.tooLong(path, max)] : [];
  },
  /** `field is immutable` when the value changed. */
  immutable(value: unknown, old: unknown, path: FieldPath): StatusCause[] {
    return semanticEqual(value, old) ? [] : [fieldError.immutable(path, value)];
  },
  /** The value is a plain object (a JSON map or struct), or absent. */
  isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  },
};
