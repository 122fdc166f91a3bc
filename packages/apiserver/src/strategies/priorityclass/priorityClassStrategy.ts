import type { StatusCause, schedulingv1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateMeta } from '../validation/validateMeta.js';
import type { Unchecked } from '../validation/Unchecked.js';

/** The highest priority a user-defined class may have; larger values are reserved for system classes. */
export const highestUserDefinablePriority = 1000000000;

/** The built-in system priority classes and their fixed values. */
const systemClasses: Readonly<Record<string, number>> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

function validatePriorityClass(pc: Unchecked<schedulingv1.PriorityClass>): StatusCause[] {
  const causes = validateMeta(pc.metadata, 'dns1123Subdomain');
  const name = pc.metadata?.name ?? '';
  const system = systemClasses[name];
  if (system !== undefined) {
    if (pc.value !== system)
      causes.push(fieldError.forbidden(FieldPath.of('value'), `value of ${name} must be ${system}`));
  } else {
    if (name.startsWith('system-')) {
      causes.push(
        fieldError.forbidden(
          FieldPath.of('metadata', 'name'),
          "priority class names with 'system-' prefix are reserved",
        ),
      );
    }
    if (typeof pc.value !== 'number' || !Number.isInteger(pc.value))
      causes.push(fieldError.required(FieldPath.of('value')));
    else if (pc.value > highestUserDefinablePriority) {
      causes.push(
        fieldError.forbidden(
          FieldPath.of('value'),
          `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`,
        ),
      );
    }
  }
  causes.push(
    ...checks.oneOf(
      pc.preemptionPolicy,
      ['Never', 'PreemptLowerPriority'],
      FieldPath.of('preemptionPolicy'),
      true,
    ),
  );
  return causes;
}

/** The strategy for scheduling.k8s.io/v1 PriorityClasses: user values up to 1e9, preemptionPolicy default, immutable value. */
export const priorityClassStrategy: Strategy<schedulingv1.PriorityClass> = {
  applyDefaults(pc) {
    pc.preemptionPolicy ??= 'PreemptLowerPriority';
  },
  validate: (pc) => validatePriorityClass(pc),
  validateUpdate(pc, old) {
    const causes = validatePriorityClass(pc);
    if (pc.value !== old.value)
      causes.push(fieldError.forbidden(FieldPath.of('value'), 'may not be changed in an update.'));
    if (pc.preemptionPolicy !== old.preemptionPolicy) {
      causes.push(
        ...checks.immutable(pc.preemptionPolicy, old.preemptionPolicy, FieldPath.of('preemptionPolicy')),
      );
    }
    return causes;
  },
};
