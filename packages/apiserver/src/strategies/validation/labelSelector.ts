import type { StatusCause, metav1 } from '@tugboat/core';

import { checks } from './checks.js';
import type { FieldPath } from './FieldPath.js';
import { fieldError } from './fieldError.js';
import type { Unchecked } from './Unchecked.js';
import { validateLabels } from './validateMeta.js';

/** Validates a `LabelSelector` (matchLabels and matchExpressions), as upstream's `ValidateLabelSelector`. */
export function validateLabelSelector(
  selector: Unchecked<metav1.LabelSelector> | undefined,
  path: FieldPath,
): StatusCause[] {
  if (selector === undefined) return [];
  if (!checks.isObject(selector)) return [fieldError.invalid(path, selector, 'must be a label selector')];
  const causes: StatusCause[] = [];
  for (const [i, req] of (selector.matchExpressions ?? []).entries()) {
    const reqPath = path.child('matchExpressions').index(i);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          causes.push(
            fieldError.required(
              reqPath.child('values'),
              "must be specified when `operator` is 'In' or 'NotIn'",
            ),
          );
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          causes.push(
            fieldError.forbidden(
              reqPath.child('values'),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        }
        break;
      case undefined:
      default:
        causes.push(
          fieldError.invalid(reqPath.child('operator'), req.operator, 'not a valid selector operator'),
        );
    }
    causes.push(...checks.format(req.key, 'qualifiedName', reqPath.child('key')));
  }
  causes.push(...validateLabels(selector.matchLabels, path.child('matchLabels')));
  return causes;
}

/** True when a `LabelSelector` selects the given labels; an empty selector selects everything. */
export function selectorMatches(
  selector: Unchecked<metav1.LabelSelector>,
  labels: Readonly<Record<string, string | undefined>> | undefined,
): boolean {
  const have = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (have[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    const value = req.key === undefined ? undefined : have[req.key];
    const values = req.values ?? [];
    const ok =
      req.operator === 'In'
        ? value !== undefined && values.includes(value)
        : req.operator === 'NotIn'
          ? value === undefined || !values.includes(value)
          : req.operator === 'Exists'
            ? value !== undefined
            : req.operator === 'DoesNotExist'
              ? value === undefined
              : false;
    if (!ok) return false;
  }
  return true;
}

/** True when a selector has neither matchLabels nor matchExpressions (it would select everything). */
export function selectorIsEmpty(selector: Unchecked<metav1.LabelSelector>): boolean {
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}
