import { Quantity, type StatusCause } from '@tugboat/core';

import type { FieldPath } from './FieldPath.js';
import { fieldError } from './fieldError.js';

/**
 * Parses a resource quantity field: the quantity, or the causes (`must be a valid quantity`,
 * `must be greater than or equal to 0`) when it is malformed or negative.
 */
export function validateQuantity(
  value: unknown,
  path: FieldPath,
): { quantity?: Quantity; causes: StatusCause[] } {
  const text = typeof value === 'number' ? String(value) : value;
  const quantity = typeof text === 'string' ? Quantity.tryParse(text) : undefined;
  if (!quantity) {
    return {
      causes: [
        fieldError.invalid(
          path,
          value,
          "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        ),
      ],
    };
  }
  if (quantity.cmp(Quantity.zero()) < 0) {
    return { quantity, causes: [fieldError.invalid(path, value, 'must be greater than or equal to 0')] };
  }
  return { quantity, causes: [] };
}
