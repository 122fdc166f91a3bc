import type { corev1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { statusSubresource } from '../statusSubresource.js';
import { defaultService } from './defaultService.js';
import { validateService, validateServiceUpdate } from './validateService.js';
import type { Unchecked } from '../validation/Unchecked.js';

const split = statusSubresource<corev1.Service>();

/**
 * Keeps what the cluster allocated (cluster IPs, node ports) when an update leaves them out, as
 * upstream's `patchAllocatedValues` does, so `kubectl replace` of a file without them works.
 */
function keepAllocatedValues(svc: Unchecked<corev1.Service>, old: Unchecked<corev1.Service>): void {
  const next = svc.spec;
  const prev = old.spec;
  if (!next || !prev || next.type === 'ExternalName') return;
  if (!next.clusterIP && prev.clusterIP) {
    next.clusterIP = prev.clusterIP;
    if (prev.clusterIPs) next.clusterIPs = [...prev.clusterIPs];
  }
  if (next.type === 'NodePort' || next.type === 'LoadBalancer') {
    for (const port of next.ports ?? []) {
      if (port.nodePort) continue;
      const match = prev.ports?.find(
        (p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'),
      );
      if (match?.nodePort) port.nodePort = match.nodePort;
    }
  }
}

/** The strategy for core/v1 Services: upstream defaults, validation, immutable cluster IP, status split. */
export const serviceStrategy: Strategy<corev1.Service> = {
  ...split,
  prepareForUpdate(svc, old) {
    split.prepareForUpdate(svc, old);
    keepAllocatedValues(svc, old);
  },
  applyDefaults: defaultService,
  validate: (svc) => validateService(svc),
  validateUpdate: (svc, old) => validateServiceUpdate(svc, old),
  fieldsOf: (svc) => ({ 'spec.clusterIP': svc.spec?.clusterIP ?? '', 'spec.type': svc.spec?.type ?? '' }),
};
