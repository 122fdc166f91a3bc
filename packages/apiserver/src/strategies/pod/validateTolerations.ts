import type { StatusCause, corev1 } from '@tugboat/core';

import { checks } from '../validation/checks.js';
import type { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import type { Unchecked } from '../validation/Unchecked.js';

/** The taint effects Kubernetes knows. */
export const taintEffects = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'] as const;

/** Validates `spec.tolerations`, as upstream's `ValidateTolerations`. */
export function validateTolerations(
  tolerations: Unchecked<corev1.Toleration>[] | undefined,
  path: FieldPath,
): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [i, t] of (tolerations ?? []).entries()) {
    const p = path.index(i);
    if (t.key) causes.push(...checks.format(t.key, 'qualifiedName', p.child('key')));
    if (!t.key && t.operator !== 'Exists') {
      causes.push(
        fieldError.invalid(
          p.child('operator'),
          t.operator ?? '',
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      causes.push(
        fieldError.invalid(
          p.child('effect'),
          t.effect ?? '',
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    switch (t.operator ?? 'Equal') {
      case 'Equal':
      case '':
        if (t.value) causes.push(...checks.format(t.value, 'labelValue', p.child('value')));
        break;
      case 'Exists':
        if (t.value)
          causes.push(
            fieldError.invalid(
              p.child('operator'),
              t.operator,
              "value must be empty when `operator` is 'Exists'",
            ),
          );
        break;
      default:
        causes.push(fieldError.notSupported(p.child('operator'), t.operator, ['Equal', 'Exists']));
    }
    causes.push(...checks.oneOf(t.effect, taintEffects, p.child('effect')));
  }
  return causes;
}
