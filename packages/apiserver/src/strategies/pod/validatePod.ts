import type { StatusCause, corev1 } from '@tugboat/core';

import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { semanticEqual } from '../validation/semanticEqual.js';
import type { Unchecked } from '../validation/Unchecked.js';
import { validateMeta } from '../validation/validateMeta.js';
import { validatePodSpec } from './validatePodSpec.js';

const spec = FieldPath.of('spec');

/** Upstream's message for a pod update that touches more than the mutable fields. */
export const podUpdateForbiddenMessage =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** Validates a Pod on create: metadata, spec, and that ephemeral containers come only through their subresource. */
export function validatePod(pod: Unchecked<corev1.Pod>): StatusCause[] {
  const causes = validateMeta(pod.metadata, 'dns1123Subdomain');
  causes.push(...validatePodSpec(pod.spec, spec));
  if ((pod.spec?.ephemeralContainers ?? []).length > 0) {
    causes.push(fieldError.forbidden(spec.child('ephemeralContainers'), 'cannot be set on create'));
  }
  return causes;
}

function validateTolerationUpdate(
  next: Unchecked<corev1.PodSpec>,
  old: Unchecked<corev1.PodSpec>,
): StatusCause[] {
  // Existing tolerations stay; only their tolerationSeconds may shrink (upstream lets NoExecute ones be tightened).
  const remaining = [...(next.tolerations ?? [])];
  for (const t of old.tolerations ?? []) {
    const at = remaining.findIndex((n) =>
      semanticEqual({ ...n, tolerationSeconds: undefined }, { ...t, tolerationSeconds: undefined }),
    );
    if (at < 0) {
      return [
        fieldError.forbidden(
          spec.child('tolerations'),
          'existing toleration can not be modified except its tolerationSeconds',
        ),
      ];
    }
    remaining.splice(at, 1);
  }
  return [];
}

/**
 * Validates a Pod update: the new pod is valid, `spec.nodeName` does not change once set,
 * `activeDeadlineSeconds` only shrinks, tolerations are only added, and nothing else in the spec
 * changes (`spec: Forbidden: pod updates may not change fields other than …`).
 */
export function validatePodUpdate(pod: Unchecked<corev1.Pod>, old: Unchecked<corev1.Pod>): StatusCause[] {
  const causes = validateMeta(pod.metadata, 'dns1123Subdomain');
  causes.push(...validatePodSpec(pod.spec, spec));
  const next = pod.spec ?? { containers: [] };
  const prev = old.spec ?? { containers: [] };
  if (prev.nodeName) causes.push(...checks.immutable(next.nodeName, prev.nodeName, spec.child('nodeName')));
  if (prev.activeDeadlineSeconds !== undefined) {
    if (next.activeDeadlineSeconds === undefined) {
      causes.push(
        fieldError.invalid(
          spec.child('activeDeadlineSeconds'),
          null,
          'must not update from a positive integer to nil value',
        ),
      );
    } else if (next.activeDeadlineSeconds > prev.activeDeadlineSeconds) {
      causes.push(
        fieldError.invalid(
          spec.child('activeDeadlineSeconds'),
          next.activeDeadlineSeconds,
          'must be less than or equal to previous value',
        ),
      );
    }
  }
  causes.push(...validateTolerationUpdate(next, prev));

  if (!semanticEqual(withoutMutableFields(next, prev), withoutMutableFields(prev, prev))) {
    causes.push(fieldError.forbidden(spec, podUpdateForbiddenMessage));
  }
  return causes;
}

/**
 * A copy of a pod spec with what an update may change taken from `prev`: container images,
 * activeDeadlineSeconds, tolerations, ephemeral containers (their own subresource), nodeName
 * (set by binding; a change once set is reported as immutable), and a grace period raised to 1
 * from a negative value. What differs after this is a forbidden change.
 */
function withoutMutableFields(
  spec: Unchecked<corev1.PodSpec>,
  prev: Unchecked<corev1.PodSpec>,
): Record<string, unknown> {
  const images = (
    list: Unchecked<corev1.Container>[] | undefined,
    old: Unchecked<corev1.Container>[] | undefined,
  ): unknown => list?.map((c, i) => ({ ...c, image: old?.length === list.length ? old[i]?.image : c.image }));
  const grace =
    (prev.terminationGracePeriodSeconds ?? 0) < 0 && spec.terminationGracePeriodSeconds === 1
      ? prev.terminationGracePeriodSeconds
      : spec.terminationGracePeriodSeconds;
  return {
    ...spec,
    containers: images(spec.containers, prev.containers),
    initContainers: images(spec.initContainers, prev.initContainers),
    activeDeadlineSeconds: prev.activeDeadlineSeconds,
    tolerations: prev.tolerations,
    ephemeralContainers: prev.ephemeralContainers,
    nodeName: prev.nodeName,
    terminationGracePeriodSeconds: grace,
  };
}
