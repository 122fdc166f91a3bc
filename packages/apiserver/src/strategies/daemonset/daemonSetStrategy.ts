import type { StatusCause, appsv1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { defaultPodSpec } from '../pod/defaultPodSpec.js';
import { statusSubresource } from '../statusSubresource.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateMeta } from '../validation/validateMeta.js';
import { isZeroIntOrPercent, validateIntOrPercent } from '../workload/intOrPercent.js';
import { validateNonNegatives, validateSelectorAndTemplate } from '../workload/validatePodTemplate.js';
import type { Unchecked } from '../validation/Unchecked.js';

const spec = FieldPath.of('spec');

function validateDaemonSet(ds: Unchecked<appsv1.DaemonSet>): StatusCause[] {
  const causes = validateMeta(ds.metadata, 'dns1123Subdomain');
  const s = ds.spec;
  if (!s) return [...causes, fieldError.required(spec)];
  causes.push(...validateNonNegatives(s, ['minReadySeconds', 'revisionHistoryLimit'], spec));
  causes.push(...validateSelectorAndTemplate(s.selector, s.template, spec, 'daemonset'));
  const path = spec.child('updateStrategy');
  const strategy = s.updateStrategy;
  causes.push(...checks.oneOf(strategy?.type, ['OnDelete', 'RollingUpdate'], path.child('type'), true));
  const rolling = strategy?.rollingUpdate;
  if (strategy?.type === 'RollingUpdate' && rolling) {
    const r = path.child('rollingUpdate');
    causes.push(...validateIntOrPercent(rolling.maxUnavailable, r.child('maxUnavailable'), true));
    causes.push(...validateIntOrPercent(rolling.maxSurge, r.child('maxSurge'), true));
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

/** Fills a DaemonSet's defaults as upstream apps/v1: RollingUpdate with maxUnavailable 1, history limit 10, pod template defaults. */
function defaultDaemonSet(ds: Unchecked<appsv1.DaemonSet>): void {
  const s = (ds.spec ??= {});
  const strategy = (s.updateStrategy ??= {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = (strategy.rollingUpdate ??= {});
    rolling.maxUnavailable ??= 1;
    rolling.maxSurge ??= 0;
  }
  s.revisionHistoryLimit ??= 10;
  defaultPodSpec(s.template?.spec);
}

/** The strategy for apps/v1 DaemonSets: RollingUpdate with maxUnavailable 1 by default, immutable selector, status split. */
export const daemonSetStrategy: Strategy<appsv1.DaemonSet> = {
  ...statusSubresource<appsv1.DaemonSet>(),
  applyDefaults: (ds) => {
    defaultDaemonSet(ds);
  },
  validate: (ds) => validateDaemonSet(ds),
  validateUpdate: (ds, old) => [
    ...validateDaemonSet(ds),
    ...checks.immutable(ds.spec?.selector, old.spec?.selector, spec.child('selector')),
  ],
  specOf: (ds) => ds.spec,
};
