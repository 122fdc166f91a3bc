import { isIP } from 'node:net';

import type { StatusCause, discoveryv1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateMeta } from '../validation/validateMeta.js';
import type { Unchecked } from '../validation/Unchecked.js';

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
const maxEndpoints = 1000;
const maxAddresses = 100;

function validateAddress(type: string, address: string, path: FieldPath): StatusCause[] {
  if (type === 'IPv4')
    return isIP(address) === 4 ? [] : [fieldError.invalid(path, address, 'must be a valid IPv4 address')];
  if (type === 'IPv6')
    return isIP(address) === 6 ? [] : [fieldError.invalid(path, address, 'must be a valid IPv6 address')];
  if (type === 'FQDN') return checks.format(address, 'dns1123Subdomain', path);
  return [];
}

function validateSlice(slice: Unchecked<discoveryv1.EndpointSlice>): StatusCause[] {
  const causes = validateMeta(slice.metadata, 'dns1123Subdomain');
  const type = slice.addressType;
  causes.push(...checks.oneOf(type, addressTypes, FieldPath.of('addressType'), true));
  const endpoints = slice.endpoints ?? [];
  if (endpoints.length > maxEndpoints)
    causes.push(fieldError.tooMany(FieldPath.of('endpoints'), endpoints.length, maxEndpoints));
  for (const [i, ep] of endpoints.entries()) {
    const p = FieldPath.of('endpoints').index(i);
    const addresses = ep.addresses ?? [];
    if (addresses.length === 0)
      causes.push(fieldError.required(p.child('addresses'), 'must contain at least 1 address'));
    else if (addresses.length > maxAddresses)
      causes.push(fieldError.tooMany(p.child('addresses'), addresses.length, maxAddresses));
    for (const [j, a] of addresses.entries())
      causes.push(...validateAddress(type ?? '', a, p.child('addresses').index(j)));
    causes.push(...checks.format(ep.hostname || undefined, 'dns1123Label', p.child('hostname')));
    causes.push(...checks.format(ep.nodeName || undefined, 'dns1123Subdomain', p.child('nodeName')));
  }
  const names = new Set<string>();
  for (const [i, port] of (slice.ports ?? []).entries()) {
    const p = FieldPath.of('ports').index(i);
    const name = port.name ?? '';
    if (name) causes.push(...checks.format(name, 'dns1123Label', p.child('name')));
    if (names.has(name)) causes.push(fieldError.duplicate(p.child('name'), name));
    names.add(name);
    if (port.port !== undefined) causes.push(...checks.port(port.port, p.child('port')));
    causes.push(...checks.oneOf(port.protocol, ['SCTP', 'TCP', 'UDP'], p.child('protocol'), true));
  }
  return causes;
}

/** The strategy for discovery.k8s.io/v1 EndpointSlices: addressType required and immutable, valid addresses and ports. */
export const endpointSliceStrategy: Strategy<discoveryv1.EndpointSlice> = {
  applyDefaults(slice) {
    for (const port of slice.ports ?? []) {
      port.protocol ??= 'TCP';
      port.name ??= '';
    }
  },
  validate: (slice) => validateSlice(slice),
  validateUpdate: (slice, old) => [
    ...validateSlice(slice),
    ...checks.immutable(slice.addressType, old.addressType, FieldPath.of('addressType')),
  ],
};
