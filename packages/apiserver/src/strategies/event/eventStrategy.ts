import type { StatusCause, corev1 } from '@tugboat/core';

import type { Strategy, StrategyContext } from '../../registry/Strategy.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateMeta } from '../validation/validateMeta.js';
import { atMost, eventLimits } from './eventLimits.js';
import type { Unchecked } from '../validation/Unchecked.js';

function validateEvent(event: Unchecked<corev1.Event>, context: StrategyContext): StatusCause[] {
  const causes = validateMeta(event.metadata, 'dns1123Subdomain');
  const namespace = event.metadata?.namespace ?? context.namespace ?? '';
  const involvedNs = event.involvedObject?.namespace ?? '';
  const nsPath = FieldPath.of('involvedObject', 'namespace');
  if (!event.eventTime) {
    // Old-style events: the involved object lives in the event's namespace (cluster-scoped ones in default).
    const ok = involvedNs ? involvedNs === namespace : namespace === '' || namespace === 'default';
    if (!ok) causes.push(fieldError.invalid(nsPath, involvedNs, 'does not match event.namespace'));
  } else {
    if (!involvedNs && namespace !== 'default' && namespace !== 'kube-system') {
      causes.push(fieldError.invalid(nsPath, involvedNs, 'does not match event.namespace'));
    }
    const controller = FieldPath.of('reportingComponent');
    if (!event.reportingComponent) causes.push(fieldError.required(controller));
    causes.push(...checks.format(event.reportingComponent || undefined, 'qualifiedName', controller));
    causes.push(...lengthChecks(event));
  }
  if (namespace)
    causes.push(...checks.format(namespace, 'dns1123Subdomain', FieldPath.of('metadata', 'namespace')));
  return causes;
}

function lengthChecks(event: Unchecked<corev1.Event>): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [field, value, limit] of [
    ['reportingInstance', event.reportingInstance, eventLimits.reportingInstance],
    ['action', event.action, eventLimits.action],
    ['reason', event.reason, eventLimits.reason],
  ] as const) {
    if (!value) causes.push(fieldError.required(FieldPath.of(field)));
    else if (value.length > limit) causes.push(fieldError.invalid(FieldPath.of(field), '', atMost(limit)));
  }
  if ((event.message ?? '').length > eventLimits.note) {
    causes.push(fieldError.invalid(FieldPath.of('message'), '', atMost(eventLimits.note)));
  }
  return causes;
}

/** The field-selector values of a core/v1 Event. */
function eventFields(event: Unchecked<corev1.Event>): Record<string, string> {
  return {
    'involvedObject.kind': event.involvedObject?.kind ?? '',
    'involvedObject.namespace': event.involvedObject?.namespace ?? '',
    'involvedObject.name': event.involvedObject?.name ?? '',
    'involvedObject.uid': event.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': event.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': event.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': event.involvedObject?.fieldPath ?? '',
    reason: event.reason ?? '',
    reportingComponent: event.reportingComponent ?? '',
    source: event.source?.component ?? '',
    type: event.type ?? '',
  };
}

/**
 * The strategy for core/v1 Events, validated as upstream validates events written through the
 * v1 API: namespace agreement with the involved object, and the reporting fields for new-style
 * events (those with `eventTime`).
 */
export const eventStrategy: Strategy<corev1.Event> = {
  validate: (event, context) => validateEvent(event, context),
  validateUpdate: (event, _old, context) => validateEvent(event, context),
  fieldsOf: (event) => eventFields(event),
};
