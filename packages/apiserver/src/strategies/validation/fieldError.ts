import type { StatusCause } from '@tugboat/core';

import type { FieldPath } from './FieldPath.js';

/** The StatusCause reasons Kubernetes uses for field errors (`metav1.CauseType`). */
export type FieldErrorReason =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound';

/**
 * A string map to be printed the way Go prints `map[string]string` values in upstream messages
 * (`map[string]string{"app":"web"}`), e.g. a pod template's labels.
 */
export class StringMapValue {
  constructor(readonly map: Readonly<Record<string, string | undefined>>) {}

  toString(): string {
    // Sorted, because Go prints maps sorted and users diff these messages.
    const body = Object.entries(this.map)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
      .join(', ');
    return `map[string]string{${body}}`;
  }
}

/**
 * Prints a field value the way upstream's field errors do: strings quoted, numbers and booleans
 * bare, {@link StringMapValue}s as Go maps, anything else as JSON.
 */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof StringMapValue) return value.toString();
  return JSON.stringify(value);
}

function cause(reason: FieldErrorReason, path: FieldPath | string, message: string): StatusCause {
  return { reason, field: String(path), message };
}

function withDetail(head: string, detail: string | undefined): string {
  return detail ? `${head}: ${detail}` : head;
}

/**
 * Constructors for field errors with upstream's reasons and message bodies
 * (`Required value`, `Invalid value: "x": detail`, `Unsupported value: …`, …).
 */
export const fieldError = {
  /** `Required value[: detail]`. */
  required: (path: FieldPath | string, detail?: string): StatusCause =>
    cause('FieldValueRequired', path, withDetail('Required value', detail)),
  /** `Invalid value: <value>[: detail]`. */
  invalid: (path: FieldPath | string, value: unknown, detail?: string): StatusCause =>
    cause('FieldValueInvalid', path, withDetail(`Invalid value: ${formatValue(value)}`, detail)),
  /** `Unsupported value: <value>: supported values: "a", "b"`. */
  notSupported: (path: FieldPath | string, value: unknown, supported: readonly string[]): StatusCause =>
    cause(
      'FieldValueNotSupported',
      path,
      withDetail(
        `Unsupported value: ${formatValue(value)}`,
        supported.length > 0
          ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`
          : undefined,
      ),
    ),
  /** `Duplicate value: <value>[: detail]`. */
  duplicate: (path: FieldPath | string, value: unknown, detail?: string): StatusCause =>
    cause('FieldValueDuplicate', path, withDetail(`Duplicate value: ${formatValue(value)}`, detail)),
  /** `Forbidden: detail`. */
  forbidden: (path: FieldPath | string, detail: string): StatusCause =>
    cause('FieldValueForbidden', path, withDetail('Forbidden', detail)),
  /** `Invalid value: <value>: field is immutable`, as upstream's `ValidateImmutableField`. */
  immutable: (path: FieldPath | string, value: unknown): StatusCause =>
    cause('FieldValueInvalid', path, `Invalid value: ${formatValue(value)}: field is immutable`),
  /** `Too long: may not be more than N bytes`. */
  tooLong: (path: FieldPath | string, max: number): StatusCause =>
    cause('FieldValueTooLong', path, `Too long: may not be more than ${max} bytes`),
  /** `Too long: must have at most N bytes`, for a map or list measured as a whole. */
  tooLarge: (path: FieldPath | string, max: number): StatusCause =>
    cause('FieldValueTooLong', path, `Too long: must have at most ${max} bytes`),
  /** `Too many: <n>: must have at most N items`. */
  tooMany: (path: FieldPath | string, actual: number, max: number): StatusCause =>
    cause('FieldValueTooMany', path, `Too many: ${actual}: must have at most ${max} items`),
  /** `Not found: <value>`. */
  notFound: (path: FieldPath | string, value: unknown): StatusCause =>
    cause('FieldValueNotFound', path, `Not found: ${formatValue(value)}`),
};
