import type { StatusCause, corev1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateMeta } from '../validation/validateMeta.js';
import type { Unchecked } from '../validation/Unchecked.js';

function validateAddress(addr: Unchecked<corev1.EndpointAddress>, path: FieldPath): StatusCause[] {
  const causes = addr.ip
    ? checks.format(addr.ip, 'ip', path.child('ip'))
    : [fieldError.required(path.child('ip'))];
  causes.push(...checks.format(addr.hostname || undefined, 'dns1123Label', path.child('hostname')));
  causes.push(...checks.format(addr.nodeName || undefined, 'dns1123Subdomain', path.child('nodeName')));
  return causes;
}

function validateEndpoints(ep: Unchecked<corev1.Endpoints>): StatusCause[] {
  const causes = validateMeta(ep.metadata, 'dns1123Subdomain');
  for (const [i, subset] of (ep.subsets ?? []).entries()) {
    const p = FieldPath.of('subsets').index(i);
    if ((subset.addresses ?? []).length === 0 && (subset.notReadyAddresses ?? []).length === 0) {
      causes.push(fieldError.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const [j, a] of (subset.addresses ?? []).entries())
      causes.push(...validateAddress(a, p.child('addresses').index(j)));
    for (const [j, a] of (subset.notReadyAddresses ?? []).entries()) {
      causes.push(...validateAddress(a, p.child('notReadyAddresses').index(j)));
    }
    const ports = subset.ports ?? [];
    const names = new Set<string>();
    for (const [j, port] of ports.entries()) {
      const pp = p.child('ports').index(j);
      if (ports.length > 1 && !port.name) causes.push(fieldError.required(pp.child('name')));
      if (port.name) {
        causes.push(...checks.format(port.name, 'dns1123Label', pp.child('name')));
        if (names.has(port.name)) causes.push(fieldError.duplicate(pp.child('name'), port.name));
        names.add(port.name);
      }
      causes.push(
        ...(port.port ? checks.port(port.port, pp.child('port')) : [fieldError.required(pp.child('port'))]),
      );
      causes.push(...checks.oneOf(port.protocol, ['SCTP', 'TCP', 'UDP'], pp.child('protocol'), true));
    }
  }
  return causes;
}

/** The strategy for core/v1 Endpoints: valid addresses and ports; port protocol defaults to TCP. */
export const endpointsStrategy: Strategy<corev1.Endpoints> = {
  applyDefaults(ep) {
    for (const subset of ep.subsets ?? []) for (const port of subset.ports ?? []) port.protocol ??= 'TCP';
  },
  validate: (ep) => validateEndpoints(ep),
  validateUpdate: (ep) => validateEndpoints(ep),
};
