import type { StatusCause, autoscalingv2 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { statusSubresource } from '../statusSubresource.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateMeta } from '../validation/validateMeta.js';
import { defaultHpa } from './defaultHpa.js';
import { validateMetrics } from './validateMetrics.js';
import type { Unchecked } from '../validation/Unchecked.js';

const spec = FieldPath.of('spec');

function validateRules(
  rules: Unchecked<autoscalingv2.HPAScalingRules> | undefined,
  path: FieldPath,
): StatusCause[] {
  if (!rules) return [];
  const causes: StatusCause[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (window !== undefined && window < 0) {
    causes.push(
      fieldError.invalid(
        path.child('stabilizationWindowSeconds'),
        window,
        'must be greater than or equal to zero',
      ),
    );
  } else if (window !== undefined && window > 3600) {
    causes.push(
      fieldError.invalid(
        path.child('stabilizationWindowSeconds'),
        window,
        'must be less than or equal to 3600',
      ),
    );
  }
  causes.push(...checks.oneOf(rules.selectPolicy, ['Disabled', 'Max', 'Min'], path.child('selectPolicy')));
  const policies = rules.policies ?? [];
  if (policies.length === 0)
    causes.push(fieldError.required(path.child('policies'), 'must specify at least one Policy'));
  for (const [i, p] of policies.entries()) {
    const pp = path.child('policies').index(i);
    causes.push(...checks.oneOf(p.type, ['Percent', 'Pods'], pp.child('type'), true));
    const value = p.value ?? 0;
    const period = p.periodSeconds ?? 0;
    if (value <= 0) causes.push(fieldError.invalid(pp.child('value'), value, 'must be greater than zero'));
    if (period <= 0)
      causes.push(fieldError.invalid(pp.child('periodSeconds'), period, 'must be greater than zero'));
    else if (period > 1800)
      causes.push(
        fieldError.invalid(pp.child('periodSeconds'), period, 'must be less than or equal to 1800'),
      );
  }
  return causes;
}

function validateHpa(hpa: Unchecked<autoscalingv2.HorizontalPodAutoscaler>): StatusCause[] {
  const causes = validateMeta(hpa.metadata, 'dns1123Subdomain');
  const s = hpa.spec;
  if (!s) return [...causes, fieldError.required(spec)];
  const ref = spec.child('scaleTargetRef');
  if (!s.scaleTargetRef) causes.push(fieldError.required(ref));
  else {
    if (!s.scaleTargetRef.kind) causes.push(fieldError.required(ref.child('kind')));
    else causes.push(...checks.format(s.scaleTargetRef.kind, 'pathSegmentName', ref.child('kind')));
    if (!s.scaleTargetRef.name) causes.push(fieldError.required(ref.child('name')));
    else causes.push(...checks.format(s.scaleTargetRef.name, 'pathSegmentName', ref.child('name')));
  }
  const min = s.minReplicas ?? 1;
  causes.push(...checks.atLeast(s.minReplicas, 1, spec.child('minReplicas')));
  const max = s.maxReplicas ?? 0;
  if (max < 1) causes.push(fieldError.invalid(spec.child('maxReplicas'), max, 'must be greater than 0'));
  else if (max < min) {
    causes.push(
      fieldError.invalid(spec.child('maxReplicas'), max, 'must be greater than or equal to `minReplicas`'),
    );
  }
  causes.push(...validateMetrics(s.metrics, spec.child('metrics')));
  causes.push(...validateRules(s.behavior?.scaleUp, spec.child('behavior', 'scaleUp')));
  causes.push(...validateRules(s.behavior?.scaleDown, spec.child('behavior', 'scaleDown')));
  return causes;
}

/** The strategy for autoscaling/v2 HorizontalPodAutoscalers: upstream defaults (minReplicas 1, 80% CPU, behavior), validation, status split. */
export const hpaStrategy: Strategy<autoscalingv2.HorizontalPodAutoscaler> = {
  ...statusSubresource<autoscalingv2.HorizontalPodAutoscaler>(),
  applyDefaults: defaultHpa,
  validate: (hpa) => validateHpa(hpa),
  validateUpdate: (hpa) => validateHpa(hpa),
  specOf: (hpa) => hpa.spec,
};
