import type { StatusCause, corev1 } from '@tugboat/core';

import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateLabels, validateMeta } from '../validation/validateMeta.js';
import { validatePortNumOrName } from '../pod/validateProbe.js';
import type { Unchecked } from '../validation/Unchecked.js';

const spec = FieldPath.of('spec');
const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function validatePorts(svc: Unchecked<corev1.Service>): StatusCause[] {
  const s = svc.spec ?? {};
  const ports = s.ports ?? [];
  const causes: StatusCause[] = [];
  const headless = s.clusterIP === 'None';
  if (ports.length === 0 && !headless && s.type !== 'ExternalName')
    causes.push(fieldError.required(spec.child('ports')));
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const [i, port] of ports.entries()) {
    const p = spec.child('ports').index(i);
    if (ports.length > 1 && !port.name) causes.push(fieldError.required(p.child('name')));
    if (port.name) {
      causes.push(...checks.format(port.name, 'dns1123Label', p.child('name')));
      if (names.has(port.name)) causes.push(fieldError.duplicate(p.child('name'), port.name));
      names.add(port.name);
    }
    causes.push(
      ...(port.port
        ? checks.port(port.port, p.child('port'))
        : [fieldError.invalid(p.child('port'), port.port ?? 0, 'must be between 1 and 65535, inclusive')]),
    );
    causes.push(...checks.oneOf(port.protocol, ['SCTP', 'TCP', 'UDP'], p.child('protocol'), true));
    if (port.targetPort !== undefined)
      causes.push(...validatePortNumOrName(port.targetPort, p.child('targetPort')));
    if (port.nodePort) {
      if (s.type !== 'NodePort' && s.type !== 'LoadBalancer') {
        causes.push(
          fieldError.forbidden(p.child('nodePort'), `may not be used when \`type\` is '${s.type ?? ''}'`),
        );
      } else causes.push(...checks.port(port.nodePort, p.child('nodePort')));
    }
    const key = `${port.port}/${port.protocol ?? 'TCP'}`;
    if (keys.has(key)) causes.push(fieldError.duplicate(p, key));
    keys.add(key);
  }
  return causes;
}

/** Validates a Service: ports, type, session affinity, cluster IPs, selector and external name. */
export function validateService(svc: Unchecked<corev1.Service>): StatusCause[] {
  const causes = validateMeta(svc.metadata, 'dns1035Label');
  const s = svc.spec ?? {};
  causes.push(...validatePorts(svc));
  causes.push(...checks.oneOf(s.type, serviceTypes, spec.child('type'), true));
  causes.push(...checks.oneOf(s.sessionAffinity, ['ClientIP', 'None'], spec.child('sessionAffinity'), true));
  const timeout = s.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (timeout !== undefined) {
    causes.push(
      ...checks.inRange(timeout, 1, 86400, spec.child('sessionAffinityConfig', 'clientIP', 'timeoutSeconds')),
    );
  }
  if (s.type === 'ExternalName') {
    if (!s.externalName) causes.push(fieldError.required(spec.child('externalName')));
    else
      causes.push(
        ...checks.format(s.externalName.replace(/\.$/, ''), 'dns1123Subdomain', spec.child('externalName')),
      );
  }
  if (s.clusterIP && s.clusterIP !== 'None')
    causes.push(...checks.format(s.clusterIP, 'ip', spec.child('clusterIP')));
  for (const [i, ip] of (s.clusterIPs ?? []).entries()) {
    if (ip !== 'None') causes.push(...checks.format(ip, 'ip', spec.child('clusterIPs').index(i)));
  }
  if (s.clusterIP && s.clusterIPs?.[0] !== undefined && s.clusterIPs[0] !== s.clusterIP) {
    causes.push(
      fieldError.invalid(spec.child('clusterIPs'), s.clusterIPs, 'element [0] must match clusterIP'),
    );
  }
  for (const [i, ip] of (s.externalIPs ?? []).entries())
    causes.push(...checks.format(ip, 'ip', spec.child('externalIPs').index(i)));
  causes.push(...validateLabels(s.selector, spec.child('selector')));
  causes.push(
    ...checks.oneOf(s.externalTrafficPolicy, ['Cluster', 'Local'], spec.child('externalTrafficPolicy')),
  );
  causes.push(
    ...checks.oneOf(s.internalTrafficPolicy, ['Cluster', 'Local'], spec.child('internalTrafficPolicy')),
  );
  causes.push(
    ...checks.oneOf(
      s.ipFamilyPolicy,
      ['PreferDualStack', 'RequireDualStack', 'SingleStack'],
      spec.child('ipFamilyPolicy'),
    ),
  );
  for (const [i, f] of (s.ipFamilies ?? []).entries())
    causes.push(...checks.oneOf(f, ['IPv4', 'IPv6'], spec.child('ipFamilies').index(i)));
  return causes;
}

/** Validates a Service update: the new object is valid and an assigned cluster IP does not change. */
export function validateServiceUpdate(
  svc: Unchecked<corev1.Service>,
  old: Unchecked<corev1.Service>,
): StatusCause[] {
  const causes = validateService(svc);
  const oldIP = old.spec?.clusterIP;
  // An allocated IP stays until the type becomes ExternalName, which releases it.
  if (oldIP && svc.spec?.type !== 'ExternalName')
    causes.push(...checks.immutable(svc.spec?.clusterIP, oldIP, spec.child('clusterIP')));
  return causes;
}
