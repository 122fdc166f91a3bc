import type { StatusCause, autoscalingv2 } from '@tugboat/core';

import { checks } from '../validation/checks.js';
import type { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateQuantity } from '../validation/validateQuantity.js';
import type { Unchecked } from '../validation/Unchecked.js';

const sourceFields = {
  ContainerResource: 'containerResource',
  External: 'external',
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
} as const;
const sourceTypes = Object.keys(sourceFields);

function validateTarget(
  target: Unchecked<autoscalingv2.MetricTarget> | undefined,
  path: FieldPath,
  resource: boolean,
): StatusCause[] {
  if (!target) return [fieldError.required(path)];
  const causes = checks.oneOf(
    target.type,
    ['AverageValue', 'Utilization', 'Value'],
    path.child('type'),
    true,
  );
  if (target.type === '' || target.type === undefined)
    causes[0] = fieldError.required(path.child('type'), 'must specify a metric target type');
  if (target.averageUtilization !== undefined && target.averageUtilization < 1) {
    causes.push(
      fieldError.invalid(
        path.child('averageUtilization'),
        target.averageUtilization,
        'must be greater than 0',
      ),
    );
  }
  for (const field of ['value', 'averageValue'] as const) {
    const v = target[field];
    if (v === undefined) continue;
    const parsed = validateQuantity(v, path.child(field));
    causes.push(...parsed.causes);
    if (parsed.quantity && parsed.causes.length === 0 && parsed.quantity.isZero()) {
      causes.push(fieldError.invalid(path.child(field), v, 'must be positive'));
    }
  }
  const needs = { Utilization: 'averageUtilization', AverageValue: 'averageValue', Value: 'value' } as const;
  const needed = target.type ? needs[target.type as keyof typeof needs] : undefined;
  if (needed && target[needed] === undefined) {
    causes.push(
      fieldError.required(path.child(needed), `must set ${needed} when target type is ${target.type ?? ''}`),
    );
  }
  if (resource && target.type === 'Value') {
    causes.push(fieldError.notSupported(path.child('type'), target.type, ['AverageValue', 'Utilization']));
  }
  return causes;
}

function validateMetric(m: Unchecked<autoscalingv2.MetricSpec>, path: FieldPath): StatusCause[] {
  const record = m as unknown as Record<string, unknown>;
  const present = Object.values(sourceFields).filter((f) => record[f] !== undefined && record[f] !== null);
  const causes: StatusCause[] = [];
  if (!m.type) causes.push(fieldError.required(path.child('type'), 'must specify a metric source type'));
  else if (!sourceTypes.includes(m.type))
    causes.push(fieldError.notSupported(path.child('type'), m.type, sourceTypes));
  const expected = m.type ? sourceFields[m.type as keyof typeof sourceFields] : undefined;
  if (expected && record[expected] === undefined) {
    causes.push(
      fieldError.required(path.child(expected), 'must populate information for the given metric source'),
    );
  }
  if (present.length !== 1) {
    for (const f of present)
      if (f !== expected)
        causes.push(fieldError.forbidden(path.child(f), 'must populate the given metric source only'));
  }
  if (m.resource) {
    causes.push(...checks.required(m.resource.name, path.child('resource', 'name')));
    causes.push(...validateTarget(m.resource.target, path.child('resource', 'target'), true));
  }
  if (m.containerResource) {
    causes.push(...checks.required(m.containerResource.name, path.child('containerResource', 'name')));
    causes.push(
      ...checks.required(m.containerResource.container, path.child('containerResource', 'container')),
    );
    causes.push(
      ...validateTarget(m.containerResource.target, path.child('containerResource', 'target'), true),
    );
  }
  for (const f of ['pods', 'object', 'external'] as const) {
    const source = m[f];
    if (!source) continue;
    causes.push(...checks.required(source.metric?.name, path.child(f, 'metric', 'name')));
    causes.push(...validateTarget(source.target, path.child(f, 'target'), false));
  }
  if (m.object) {
    causes.push(
      ...checks.required(m.object.describedObject?.kind, path.child('object', 'describedObject', 'kind')),
    );
    causes.push(
      ...checks.required(m.object.describedObject?.name, path.child('object', 'describedObject', 'name')),
    );
  }
  return causes;
}

/** Validates `spec.metrics` of an autoscaling/v2 HPA: one populated source per metric, matching its type, and a valid target. */
export function validateMetrics(
  metrics: Unchecked<autoscalingv2.MetricSpec>[] | undefined,
  path: FieldPath,
): StatusCause[] {
  return (metrics ?? []).flatMap((m, i) => validateMetric(m, path.index(i)));
}
