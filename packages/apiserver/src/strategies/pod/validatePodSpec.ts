import type { StatusCause, corev1 } from '@tugboat/core';

import { checks } from '../validation/checks.js';
import type { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import type { Unchecked } from '../validation/Unchecked.js';
import { validateLabels } from '../validation/validateMeta.js';
import { validateContainer, type ContainerContext } from './validateContainers.js';
import { validateTolerations } from './validateTolerations.js';
import { validateVolumes } from './validateVolumes.js';

/**
 * Validates a `PodSpec` (of a Pod or a pod template) at `path`: containers, volumes, policies,
 * tolerations and scheduling fields. Returns every cause.
 */
export function validatePodSpec(spec: Unchecked<corev1.PodSpec> | undefined, path: FieldPath): StatusCause[] {
  if (!spec) return [fieldError.required(path)];
  const volumes = validateVolumes(spec.volumes, path.child('volumes'));
  const causes = [...volumes.causes];
  const shared = {
    volumes: volumes.names,
    names: new Set<string>(),
    hostPorts: new Set<string>(),
    hostNetwork: spec.hostNetwork === true,
  };
  const initCtx: ContainerContext = { ...shared, init: true };
  for (const [i, c] of (spec.initContainers ?? []).entries()) {
    causes.push(...validateContainer(c, path.child('initContainers').index(i), initCtx));
  }
  if ((spec.containers ?? []).length === 0) causes.push(fieldError.required(path.child('containers')));
  const appCtx: ContainerContext = { ...shared, init: false };
  for (const [i, c] of (spec.containers ?? []).entries()) {
    causes.push(...validateContainer(c, path.child('containers').index(i), appCtx));
  }
  causes.push(
    ...checks.oneOf(spec.restartPolicy, ['Always', 'Never', 'OnFailure'], path.child('restartPolicy'), true),
  );
  causes.push(
    ...checks.oneOf(
      spec.dnsPolicy,
      ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
      path.child('dnsPolicy'),
      true,
    ),
  );
  if (spec.dnsPolicy === 'None' && (spec.dnsConfig?.nameservers ?? []).length === 0) {
    causes.push(
      fieldError.required(
        path.child('dnsConfig', 'nameservers'),
        'must provide at least one DNS nameserver when DNSPolicy is None',
      ),
    );
  }
  causes.push(
    ...checks.atLeast(spec.terminationGracePeriodSeconds, 0, path.child('terminationGracePeriodSeconds')),
  );
  causes.push(
    ...checks.inRange(spec.activeDeadlineSeconds, 1, 2147483647, path.child('activeDeadlineSeconds')),
  );
  causes.push(...validateLabels(spec.nodeSelector, path.child('nodeSelector')));
  causes.push(...checks.format(spec.nodeName || undefined, 'dns1123Subdomain', path.child('nodeName')));
  causes.push(
    ...checks.format(
      spec.serviceAccountName || undefined,
      'dns1123Subdomain',
      path.child('serviceAccountName'),
    ),
  );
  causes.push(
    ...checks.format(spec.schedulerName || undefined, 'dns1123Subdomain', path.child('schedulerName')),
  );
  causes.push(...checks.format(spec.hostname || undefined, 'dns1123Label', path.child('hostname')));
  causes.push(...checks.format(spec.subdomain || undefined, 'dns1123Label', path.child('subdomain')));
  causes.push(
    ...checks.format(
      spec.priorityClassName || undefined,
      'dns1123Subdomain',
      path.child('priorityClassName'),
    ),
  );
  causes.push(
    ...checks.oneOf(spec.preemptionPolicy, ['Never', 'PreemptLowerPriority'], path.child('preemptionPolicy')),
  );
  causes.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  return causes;
}
