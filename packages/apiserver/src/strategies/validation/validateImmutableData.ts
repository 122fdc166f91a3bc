import type { StatusCause } from '@tugboat/core';

import { FieldPath } from './FieldPath.js';
import { fieldError } from './fieldError.js';
import { semanticEqual } from './semanticEqual.js';

/** The shape shared by ConfigMaps and Secrets for the `immutable` flag. */
interface ImmutableData {
  immutable?: boolean;
  data?: unknown;
  binaryData?: unknown;
}

/**
 * Once `immutable: true` is set on a ConfigMap or Secret, neither the flag nor the data may
 * change (`data: Forbidden: field is immutable when `immutable` is set`).
 */
export function validateImmutableData(next: ImmutableData, old: ImmutableData): StatusCause[] {
  if (old.immutable !== true) return [];
  const detail = 'field is immutable when `immutable` is set';
  const causes: StatusCause[] = [];
  if (next.immutable !== true) causes.push(fieldError.forbidden(FieldPath.of('immutable'), detail));
  if (!semanticEqual(next.data ?? {}, old.data ?? {}))
    causes.push(fieldError.forbidden(FieldPath.of('data'), detail));
  if (!semanticEqual(next.binaryData ?? {}, old.binaryData ?? {})) {
    causes.push(fieldError.forbidden(FieldPath.of('binaryData'), detail));
  }
  return causes;
}
