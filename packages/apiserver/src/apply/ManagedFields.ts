import { ApiError, type StatusCause } from '@tugboat/core';

import { FieldSet, type FieldsV1 } from './FieldSet.js';

/** One `metadata.managedFields` entry, as the API serves it. */
export interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion?: string;
  readonly time?: string;
  readonly fieldsType: 'FieldsV1';
  readonly fieldsV1: FieldsV1;
  readonly subresource?: string;
}

/** One manager's ownership: its entry (without the fields) and the fields it owns. */
export interface Ownership {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion?: string;
  readonly time?: string;
  readonly subresource?: string;
  readonly fields: FieldSet;
}

/**
 * Reads `metadata.managedFields`; a malformed entry is `Invalid` (422) naming it, as upstream
 * validates the field on every write.
 */
export function decodeManagedFields(raw: unknown): Ownership[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid([cause('metadata.managedFields', 'must be a list')]);
  return raw.map((entry: unknown, i) => {
    const at = `metadata.managedFields[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw invalid([cause(at, 'must be an object')]);
    }
    const e = entry as Record<string, unknown>;
    const causes: StatusCause[] = [];
    if (e['operation'] !== 'Apply' && e['operation'] !== 'Update')
      causes.push(
        cause(
          `${at}.operation`,
          `Unsupported value: ${JSON.stringify(e['operation'])}: supported values: "Apply", "Update"`,
        ),
      );
    if (e['fieldsType'] !== undefined && e['fieldsType'] !== 'FieldsV1')
      causes.push(
        cause(
          `${at}.fieldsType`,
          `Unsupported value: ${JSON.stringify(e['fieldsType'])}: supported values: "FieldsV1"`,
        ),
      );
    for (const k of ['manager', 'apiVersion', 'time', 'subresource'] as const) {
      if (e[k] !== undefined && typeof e[k] !== 'string')
        causes.push(cause(`${at}.${k}`, 'must be a string'));
    }
    let fields = FieldSet.empty;
    try {
      fields = FieldSet.fromFieldsV1(e['fieldsV1'] ?? {}, `${at}.fieldsV1`);
    } catch (err) {
      causes.push(cause(`${at}.fieldsV1`, (err as Error).message));
    }
    if (causes.length > 0) throw invalid(causes);
    return {
      manager: (e['manager'] as string | undefined) ?? '',
      operation: e['operation'] as 'Apply' | 'Update',
      ...(typeof e['apiVersion'] === 'string' ? { apiVersion: e['apiVersion'] } : {}),
      ...(typeof e['time'] === 'string' ? { time: e['time'] } : {}),
      ...(typeof e['subresource'] === 'string' && e['subresource'] !== ''
        ? { subresource: e['subresource'] }
        : {}),
      fields,
    };
  });
}

/**
 * Reads the managedFields stored with an object. Stored entries that no longer parse are dropped
 * rather than failing every later write to the object, as upstream resets them.
 */
export function decodeStoredManagedFields(raw: unknown): Ownership[] {
  try {
    return decodeManagedFields(raw);
  } catch {
    return [];
  }
}

/** Writes ownerships back as `metadata.managedFields` entries, dropping managers that own nothing. */
export function encodeManagedFields(owners: readonly Ownership[]): ManagedFieldsEntry[] {
  return owners
    .filter((o) => !o.fields.isEmpty())
    .map((o) => ({
      manager: o.manager,
      operation: o.operation,
      ...(o.apiVersion !== undefined ? { apiVersion: o.apiVersion } : {}),
      ...(o.time !== undefined ? { time: o.time } : {}),
      fieldsType: 'FieldsV1' as const,
      fieldsV1: o.fields.toFieldsV1(),
      ...(o.subresource !== undefined ? { subresource: o.subresource } : {}),
    }));
}

/** Whether an ownership belongs to this manager, operation and subresource. */
export function isManager(
  o: Ownership,
  manager: string,
  operation: 'Apply' | 'Update',
  subresource: string | undefined,
): boolean {
  return o.manager === manager && o.operation === operation && o.subresource === subresource;
}

function cause(field: string, message: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message };
}

function invalid(causes: StatusCause[]): ApiError {
  return new ApiError(
    'Invalid',
    `managedFields is invalid: ${causes.map((c) => `${c.field ?? ''}: ${c.message}`).join(', ')}`,
    { causes },
  );
}
