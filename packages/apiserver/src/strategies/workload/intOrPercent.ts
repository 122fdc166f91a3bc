import type { StatusCause } from '@tugboat/core';

import type { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { formats } from '../validation/formats.js';

/**
 * Validates an int-or-percent value (`maxSurge`, `maxUnavailable`): a non-negative integer or a
 * percent string, at most 100% when `capAt100` is set.
 */
export function validateIntOrPercent(
  value: number | string | undefined,
  path: FieldPath,
  capAt100: boolean,
): StatusCause[] {
  if (value === undefined) return [];
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0
      ? []
      : [fieldError.invalid(path, value, 'must be greater than or equal to 0')];
  }
  const msgs = formats.percent(value);
  if (msgs.length > 0) return msgs.map((m) => fieldError.invalid(path, value, m));
  if (capAt100 && Number.parseInt(value, 10) > 100)
    return [fieldError.invalid(path, value, 'must not be greater than 100%')];
  return [];
}

/** True when an int-or-percent value is zero (`0` or `0%`) or absent. */
export function isZeroIntOrPercent(value: number | string | undefined): boolean {
  return value === undefined || value === 0 || (typeof value === 'string' && /^0+%$/.test(value));
}
