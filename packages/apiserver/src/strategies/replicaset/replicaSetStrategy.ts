import type { StatusCause, appsv1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { defaultPodSpec } from '../pod/defaultPodSpec.js';
import { statusSubresource } from '../statusSubresource.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateMeta } from '../validation/validateMeta.js';
import { validateNonNegatives, validateSelectorAndTemplate } from '../workload/validatePodTemplate.js';
import type { Unchecked } from '../validation/Unchecked.js';

const spec = FieldPath.of('spec');

function validateReplicaSet(rs: Unchecked<appsv1.ReplicaSet>): StatusCause[] {
  const causes = validateMeta(rs.metadata, 'dns1123Subdomain');
  const s = rs.spec;
  if (!s) return [...causes, fieldError.required(spec)];
  causes.push(...validateNonNegatives(s, ['replicas', 'minReadySeconds'], spec));
  causes.push(...validateSelectorAndTemplate(s.selector, s.template, spec, 'replicaset'));
  return causes;
}

/** The strategy for apps/v1 ReplicaSets: 1 replica by default, selector matching the template and immutable, status split. */
export const replicaSetStrategy: Strategy<appsv1.ReplicaSet> = {
  ...statusSubresource<appsv1.ReplicaSet>(),
  applyDefaults(rs) {
    const s = (rs.spec ??= { selector: {} });
    s.replicas ??= 1;
    defaultPodSpec(s.template?.spec);
  },
  validate: (rs) => validateReplicaSet(rs),
  validateUpdate: (rs, old) => [
    ...validateReplicaSet(rs),
    ...checks.immutable(rs.spec?.selector, old.spec?.selector, spec.child('selector')),
  ],
  specOf: (rs) => rs.spec,
};
