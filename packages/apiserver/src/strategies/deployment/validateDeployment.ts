import type { StatusCause, appsv1 } from '@tugboat/core';

import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateMeta } from '../validation/validateMeta.js';
import { isZeroIntOrPercent, validateIntOrPercent } from '../workload/intOrPercent.js';
import { validateNonNegatives, validateSelectorAndTemplate } from '../workload/validatePodTemplate.js';
import type { Unchecked } from '../validation/Unchecked.js';

const spec = FieldPath.of('spec');

function validateStrategy(strategy: Unchecked<appsv1.DeploymentStrategy> | undefined): StatusCause[] {
  const path = spec.child('strategy');
  const causes = checks.oneOf(strategy?.type, ['Recreate', 'RollingUpdate'], path.child('type'), true);
  const rolling = strategy?.rollingUpdate;
  if (strategy?.type === 'Recreate' && rolling) {
    causes.push(
      fieldError.forbidden(
        path.child('rollingUpdate'),
        "may not be specified when strategy `type` is 'Recreate'",
      ),
    );
  }
  if (strategy?.type === 'RollingUpdate') {
    if (!rolling)
      return [
        ...causes,
        fieldError.required(path.child('rollingUpdate'), 'this should be defaulted and never be nil'),
      ];
    const r = path.child('rollingUpdate');
    causes.push(...validateIntOrPercent(rolling.maxUnavailable, r.child('maxUnavailable'), true));
    causes.push(...validateIntOrPercent(rolling.maxSurge, r.child('maxSurge'), false));
    if (isZeroIntOrPercent(rolling.maxUnavailable) && isZeroIntOrPercent(rolling.maxSurge)) {
      causes.push(
        fieldError.invalid(
          r.child('maxUnavailable'),
          rolling.maxUnavailable ?? 0,
          'may not be 0 when `maxSurge` is 0',
        ),
      );
    }
  }
  return causes;
}

/** Validates a Deployment: counts, rollout strategy, selector matching the template, and the pod template. */
export function validateDeployment(d: Unchecked<appsv1.Deployment>): StatusCause[] {
  const causes = validateMeta(d.metadata, 'dns1123Subdomain');
  const s = d.spec;
  if (!s) return [...causes, fieldError.required(spec)];
  causes.push(
    ...validateNonNegatives(
      s,
      ['replicas', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds'],
      spec,
    ),
  );
  if (s.progressDeadlineSeconds !== undefined && s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
    causes.push(
      fieldError.invalid(
        spec.child('progressDeadlineSeconds'),
        s.progressDeadlineSeconds,
        'must be greater than minReadySeconds',
      ),
    );
  }
  causes.push(...validateStrategy(s.strategy));
  causes.push(...validateSelectorAndTemplate(s.selector, s.template, spec, 'deployment'));
  return causes;
}

/** Validates a Deployment update: the new object is valid and the selector is unchanged (apps/v1). */
export function validateDeploymentUpdate(
  d: Unchecked<appsv1.Deployment>,
  old: Unchecked<appsv1.Deployment>,
): StatusCause[] {
  return [
    ...validateDeployment(d),
    ...checks.immutable(d.spec?.selector, old.spec?.selector, spec.child('selector')),
  ];
}
