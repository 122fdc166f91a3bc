import type { StatusCause, metav1 } from '@tugboat/core';

import { checks } from './checks.js';
import { FieldPath } from './FieldPath.js';
import { fieldError } from './fieldError.js';
import { formats, type FormatName } from './formats.js';
import type { Unchecked } from './Unchecked.js';

const maxAnnotationsBytes = 256 * 1024;

/** Validates label keys (qualified names) and values, as upstream's `ValidateLabels`. */
export function validateLabels(labels: unknown, path: FieldPath): StatusCause[] {
  if (labels === undefined || labels === null) return [];
  if (!checks.isObject(labels))
    return [fieldError.invalid(path, labels, 'must be a map of string keys to string values')];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const m of formats.qualifiedName(key)) causes.push(fieldError.invalid(path, key, m));
    if (typeof value !== 'string') causes.push(fieldError.invalid(path, value, 'must be a string'));
    else for (const m of formats.labelValue(value)) causes.push(fieldError.invalid(path, value, m));
  }
  return causes;
}

/** Validates annotation keys and the total size (256 KiB), as upstream's `ValidateAnnotations`. */
export function validateAnnotations(annotations: unknown, path: FieldPath): StatusCause[] {
  if (annotations === undefined || annotations === null) return [];
  if (!checks.isObject(annotations)) {
    return [fieldError.invalid(path, annotations, 'must be a map of string keys to string values')];
  }
  const causes: StatusCause[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    // Upstream lowercases annotation keys before checking them.
    for (const m of formats.qualifiedName(key.toLowerCase())) causes.push(fieldError.invalid(path, key, m));
    if (typeof value !== 'string') causes.push(fieldError.invalid(path.key(key), value, 'must be a string'));
    size += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  if (size > maxAnnotationsBytes) causes.push(fieldError.tooLarge(path, maxAnnotationsBytes));
  return causes;
}

/**
 * Validates the per-kind part of `metadata`: the name in the kind's format (`nameFormat`),
 * labels, annotations and finalizers. Name/namespace presence and immutability are the generic
 * registry's job.
 */
export function validateMeta(
  meta: Unchecked<metav1.ObjectMeta> | undefined,
  nameFormat: FormatName,
): StatusCause[] {
  const path = FieldPath.of('metadata');
  const causes: StatusCause[] = [];
  if (meta?.name) causes.push(...checks.format(meta.name, nameFormat, path.child('name')));
  else if (!meta?.generateName)
    causes.push(fieldError.required(path.child('name'), 'name or generateName is required'));
  causes.push(...validateLabels(meta?.labels, path.child('labels')));
  causes.push(...validateAnnotations(meta?.annotations, path.child('annotations')));
  const finalizers = meta?.finalizers ?? [];
  // Upstream reports finalizer errors on the list, not the element.
  for (const f of finalizers) causes.push(...checks.format(f, 'qualifiedName', path.child('finalizers')));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    causes.push(
      fieldError.invalid(
        path.child('finalizers'),
        finalizers,
        'finalizer orphan and foregroundDeletion cannot be both set',
      ),
    );
  }
  return causes;
}
