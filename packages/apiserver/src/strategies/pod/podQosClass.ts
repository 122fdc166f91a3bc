import { Quantity, type corev1 } from '@tugboat/core';

import type { Unchecked } from '../validation/Unchecked.js';

const qosResources = ['cpu', 'memory'] as const;

function parse(value: string | undefined): Quantity | undefined {
  return typeof value === 'string' ? Quantity.tryParse(value) : undefined;
}

/**
 * The QoS class of a Pod as upstream computes it: `BestEffort` when no container asks for cpu or
 * memory, `Guaranteed` when every container has cpu and memory limits equal to its requests
 * (requests default to limits), else `Burstable`.
 */
export function podQosClass(
  spec: Unchecked<corev1.PodSpec> | undefined,
): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    const limits = c.resources?.limits ?? {};
    const requests = c.resources?.requests ?? {};
    for (const r of qosResources) {
      const limit = parse(limits[r]);
      const request = parse(requests[r]) ?? limit;
      if ((limit && !limit.isZero()) || (request && !request.isZero())) anySet = true;
      if (!limit || !request || limit.cmp(request) !== 0) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
