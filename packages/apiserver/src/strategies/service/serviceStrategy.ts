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

const needsNodePorts = (svc: Unchecked<corev1.Service>): boolean =>
  svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';

/**
 * Clears what the old type allocated and the new type cannot use, when the update left it as it
 * was, as upstream's `dropTypeDependentFields`: NodePorts when the type becomes ClusterIP (so they
 * are released), cluster IPs when it becomes ExternalName.
 */
function dropTypeDependentFields(svc: Unchecked<corev1.Service>, old: Unchecked<corev1.Service>): void {
  const next = svc.spec;
  const prev = old.spec;
  if (!next || !prev) return;
  if (needsNodePorts(old) && !needsNodePorts(svc)) {
    const same = (next.ports ?? []).every(
      (p) => !p.nodePort || prev.ports?.some((q) => q.nodePort === p.nodePort),
    );
    if (same) for (const port of next.ports ?? []) delete port.nodePort;
  }
  if (next.type === 'ExternalName' && prev.type !== 'ExternalName' && next.clusterIP === prev.clusterIP) {
    delete next.clusterIP;
    delete next.clusterIPs;
    delete next.ipFamilies;
    delete next.ipFamilyPolicy;
  }
}

/** The strategy for core/v1 Services: upstream defaults, validation, immutable cluster IP, status split. */
export const serviceStrategy: Strategy<corev1.Service> = {
  ...split,
  prepareForUpdate(svc, old) {
    split.prepareForUpdate(svc, old);
    keepAllocatedValues(svc, old);
    dropTypeDependentFields(svc, old);
  },
  applyDefaults: defaultService,
  validate: (svc) => validateService(svc),
  validateUpdate: (svc, old) => validateServiceUpdate(svc, old),
  fieldsOf: (svc) => ({ 'spec.clusterIP': svc.spec?.clusterIP ?? '', 'spec.type': svc.spec?.type ?? '' }),
};
