import type { Quantity, StatusCause, corev1 } from '@tugboat/core';

import { checks } from '../validation/checks.js';
import type { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { formats } from '../validation/formats.js';
import type { Unchecked } from '../validation/Unchecked.js';
import { validateQuantity } from '../validation/validateQuantity.js';

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);

function validateResourceName(name: string, path: FieldPath): StatusCause[] {
  if (standardContainerResources.has(name) || name.startsWith('hugepages-')) return [];
  const qualified = formats.qualifiedName(name).map((m) => fieldError.invalid(path, name, m));
  if (qualified.length > 0) return qualified;
  // Extended resources are domain-qualified and outside kubernetes.io.
  const prefix = name.includes('/') ? name.slice(0, name.indexOf('/')) : '';
  if (!prefix || prefix === 'kubernetes.io' || prefix.endsWith('.kubernetes.io')) {
    return [fieldError.invalid(path, name, 'must be a standard resource for containers')];
  }
  return [];
}

function validateList(
  list: unknown,
  path: FieldPath,
): { parsed: Map<string, Quantity>; causes: StatusCause[] } {
  const parsed = new Map<string, Quantity>();
  const causes: StatusCause[] = [];
  if (list === undefined || list === null) return { parsed, causes };
  if (!checks.isObject(list))
    return { parsed, causes: [fieldError.invalid(path, list, 'must be a map of resource quantities')] };
  for (const [name, value] of Object.entries(list)) {
    causes.push(...validateResourceName(name, path.key(name)));
    const result = validateQuantity(value, path.key(name));
    causes.push(...result.causes);
    if (result.quantity && result.causes.length === 0) parsed.set(name, result.quantity);
  }
  return { parsed, causes };
}

/**
 * Validates a container's `resources`: resource names, quantities, and that no request exceeds its
 * limit (`resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1`).
 */
export function validateResources(
  resources: Unchecked<corev1.ResourceRequirements> | undefined,
  path: FieldPath,
): StatusCause[] {
  if (!resources) return [];
  const limits = validateList(resources.limits, path.child('limits'));
  const requests = validateList(resources.requests, path.child('requests'));
  const causes = [...limits.causes, ...requests.causes];
  for (const [name, request] of requests.parsed) {
    const limit = limits.parsed.get(name);
    if (limit && request.cmp(limit) > 0) {
      causes.push(
        fieldError.invalid(
          path.child('requests').key(name),
          request.toString(),
          `must be less than or equal to ${name} limit of ${limit.toString()}`,
        ),
      );
    }
  }
  return causes;
}
