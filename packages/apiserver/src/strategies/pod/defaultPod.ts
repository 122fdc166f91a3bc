import type { corev1 } from '@tugboat/core';

import type { Unchecked } from '../validation/Unchecked.js';
import { defaultPodSpec } from './defaultPodSpec.js';

/** Priorities of the built-in system priority classes, which exist in every cluster. */
const systemPriorities: Readonly<Record<string, number>> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

function defaultRequestsToLimits(containers: Unchecked<corev1.Container>[] | undefined): void {
  for (const c of containers ?? []) {
    const limits = c.resources?.limits;
    if (!limits || !c.resources) continue;
    const requests = (c.resources.requests ??= {});
    for (const [name, value] of Object.entries(limits))
      if (requests[name] === undefined) requests[name] = value;
  }
}

/** Taints every pod tolerates for 5 minutes unless it says otherwise (the DefaultTolerationSeconds admission plugin). */
const defaultTolerated = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

function defaultTolerations(spec: Unchecked<corev1.PodSpec>): void {
  for (const key of defaultTolerated) {
    const tolerates = (spec.tolerations ?? []).some(
      (t) =>
        (t.effect === 'NoExecute' || !t.effect) &&
        ((t.key === key && (t.operator ?? 'Equal') === 'Exists') || (!t.key && t.operator === 'Exists')),
    );
    if (!tolerates) {
      (spec.tolerations ??= []).push({
        key,
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      });
    }
  }
}

/**
 * Fills the defaults of a Pod: those of its spec, plus what upstream applies to Pods only
 * (requests default to limits, enableServiceLinks) and what its default admission plugins set
 * (service account `default`, priority, 300 s tolerations of not-ready and unreachable nodes).
 */
export function defaultPod(pod: Unchecked<corev1.Pod>): void {
  const spec = pod.spec;
  if (!spec) return;
  defaultPodSpec(spec);
  defaultRequestsToLimits(spec.initContainers);
  defaultRequestsToLimits(spec.containers);
  spec.enableServiceLinks ??= true;
  // The ServiceAccount admission plugin; the deprecated `serviceAccount` mirrors the name.
  spec.serviceAccountName ||= spec.serviceAccount || 'default';
  spec.serviceAccount ||= spec.serviceAccountName;
  if (spec.priority === undefined) {
    const className = spec.priorityClassName;
    const known = className ? systemPriorities[className] : 0;
    if (known !== undefined) spec.priority = known;
  }
  if (spec.priority !== undefined) spec.preemptionPolicy ??= 'PreemptLowerPriority';
  defaultTolerations(spec);
}
