import type { StatusCause, eventsv1 } from '@tugboat/core';

import type { Strategy, StrategyContext } from '../../registry/Strategy.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateMeta } from '../validation/validateMeta.js';
import { atMost, eventLimits } from './eventLimits.js';
import type { Unchecked } from '../validation/Unchecked.js';

function validateEventV1(event: Unchecked<eventsv1.Event>, context: StrategyContext): StatusCause[] {
  const causes = validateMeta(event.metadata, 'dns1123Subdomain');
  const namespace = event.metadata?.namespace ?? context.namespace ?? '';
  const regardingNs = event.regarding?.namespace ?? '';
  if (regardingNs ? regardingNs !== namespace : namespace !== 'default' && namespace !== 'kube-system') {
    causes.push(
      fieldError.invalid(
        FieldPath.of('regarding', 'namespace'),
        regardingNs,
        'does not match event.namespace',
      ),
    );
  }
  if (!event.eventTime) causes.push(fieldError.required(FieldPath.of('eventTime')));
  const controller = FieldPath.of('reportingController');
  if (!event.reportingController) causes.push(fieldError.required(controller));
  causes.push(...checks.format(event.reportingController || undefined, 'qualifiedName', controller));
  for (const [field, value, limit] of [
    ['reportingInstance', event.reportingInstance, eventLimits.reportingInstance],
    ['action', event.action, eventLimits.action],
    ['reason', event.reason, eventLimits.reason],
  ] as const) {
    if (!value) causes.push(fieldError.required(FieldPath.of(field)));
    else if (value.length > limit) causes.push(fieldError.invalid(FieldPath.of(field), '', atMost(limit)));
  }
  if ((event.note ?? '').length > eventLimits.note)
    causes.push(fieldError.invalid(FieldPath.of('note'), '', atMost(eventLimits.note)));
  if (event.type !== 'Normal' && event.type !== 'Warning') {
    causes.push(fieldError.invalid(FieldPath.of('type'), '', `has invalid value: ${event.type ?? ''}`));
  }
  for (const field of [
    'deprecatedFirstTimestamp',
    'deprecatedLastTimestamp',
    'deprecatedCount',
    'deprecatedSource',
  ] as const) {
    const value: unknown = event[field];
    if (value !== undefined && value !== null && value !== 0) {
      causes.push(fieldError.invalid(FieldPath.of(field), '', 'needs to be unset'));
    }
  }
  if (event.series) {
    causes.push(...checks.atLeast(event.series.count, 2, FieldPath.of('series', 'count')));
    if (!event.series.lastObservedTime)
      causes.push(fieldError.required(FieldPath.of('series', 'lastObservedTime')));
  }
  return causes;
}

/** The strategy for events.k8s.io/v1 Events: `eventTime`, reporting controller and instance, action and reason required. */
export const eventV1Strategy: Strategy<eventsv1.Event> = {
  validate: (event, context) => validateEventV1(event, context),
  validateUpdate: (event, _old, context) => validateEventV1(event, context),
  fieldsOf: (event) => ({
    'regarding.kind': event.regarding?.kind ?? '',
    'regarding.namespace': event.regarding?.namespace ?? '',
    'regarding.name': event.regarding?.name ?? '',
    'regarding.uid': event.regarding?.uid ?? '',
    reason: event.reason ?? '',
    reportingController: event.reportingController ?? '',
    type: event.type ?? '',
  }),
};
