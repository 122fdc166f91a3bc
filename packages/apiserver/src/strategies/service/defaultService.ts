import { isIP } from 'node:net';

import type { corev1 } from '@tugboat/core';
import type { Unchecked } from '../validation/Unchecked.js';

/**
 * Fills a Service's defaults as upstream: type ClusterIP, sessionAffinity None, port protocol TCP,
 * targetPort = port, traffic policies, and a single-stack IP family for services with cluster IPs.
 */
export function defaultService(svc: Unchecked<corev1.Service>): void {
  const spec = (svc.spec ??= {});
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = ((spec.sessionAffinityConfig ??= {}).clientIP ??= {});
    clientIP.timeoutSeconds ??= 10800;
  }
  for (const port of spec.ports ?? []) {
    port.protocol ??= 'TCP';
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '')
      port.targetPort = port.port;
  }
  if (spec.type === 'ExternalName') return;
  spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
  spec.ipFamilyPolicy ??= 'SingleStack';
  if (!spec.ipFamilies || spec.ipFamilies.length === 0) {
    const ip = spec.clusterIP && spec.clusterIP !== 'None' ? spec.clusterIP : '';
    spec.ipFamilies = [isIP(ip) === 6 ? 'IPv6' : 'IPv4'];
  }
}
