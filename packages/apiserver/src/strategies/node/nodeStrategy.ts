import type { StatusCause, corev1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { statusSubresource } from '../statusSubresource.js';
import { taintEffects } from '../pod/validateTolerations.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateMeta } from '../validation/validateMeta.js';
import { validateQuantity } from '../validation/validateQuantity.js';
import type { Unchecked } from '../validation/Unchecked.js';

const split = statusSubresource<corev1.Node>();

function validateNode(node: Unchecked<corev1.Node>): StatusCause[] {
  const causes = validateMeta(node.metadata, 'dns1123Subdomain');
  const taintsPath = FieldPath.of('spec', 'taints');
  const seen = new Set<string>();
  for (const [i, taint] of (node.spec?.taints ?? []).entries()) {
    const p = taintsPath.index(i);
    if (!taint.key) causes.push(fieldError.required(p.child('key')));
    else causes.push(...checks.format(taint.key, 'qualifiedName', p.child('key')));
    if (taint.value) causes.push(...checks.format(taint.value, 'labelValue', p.child('value')));
    causes.push(...checks.oneOf(taint.effect, taintEffects, p.child('effect'), true));
    const id = `${taint.key}:${taint.effect}`;
    if (seen.has(id))
      causes.push(fieldError.duplicate(p, taint, 'taints must be unique by key and effect pair'));
    seen.add(id);
  }
  for (const list of ['capacity', 'allocatable'] as const) {
    for (const [name, value] of Object.entries(node.status?.[list] ?? {})) {
      causes.push(...validateQuantity(value, FieldPath.of('status', list).key(name)).causes);
    }
  }
  if (node.spec?.podCIDR) causes.push(...validateCidr(node.spec.podCIDR, FieldPath.of('spec', 'podCIDR')));
  return causes;
}

function validateCidr(cidr: string, path: FieldPath): StatusCause[] {
  const [ip, bits, extra] = cidr.split('/');
  const ok =
    extra === undefined &&
    ip !== undefined &&
    bits !== undefined &&
    /^\d+$/.test(bits) &&
    checks.format(ip, 'ip', path).length === 0;
  return ok
    ? []
    : [fieldError.invalid(path, cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/**
 * The strategy for core/v1 Nodes. As upstream, a node may set its status on create (the node
 * agent registers with its capacity); `spec.podCIDR` and `spec.providerID` are immutable once set.
 */
export const nodeStrategy: Strategy<corev1.Node> = {
  prepareForCreate() {
    // Nodes keep the status they are created with: the kubelet registers with capacity and addresses.
  },
  prepareForUpdate: split.prepareForUpdate,
  prepareForStatusUpdate: split.prepareForStatusUpdate,
  applyDefaults(node) {
    const status = node.status;
    if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
  },
  validate: (node) => validateNode(node),
  validateUpdate(node, old) {
    const causes = validateNode(node);
    if (old.spec?.podCIDR)
      causes.push(...checks.immutable(node.spec?.podCIDR, old.spec.podCIDR, FieldPath.of('spec', 'podCIDR')));
    if (old.spec?.providerID) {
      causes.push(
        ...checks.immutable(node.spec?.providerID, old.spec.providerID, FieldPath.of('spec', 'providerID')),
      );
    }
    return causes;
  },
  fieldsOf: (node) => ({ 'spec.unschedulable': String(node.spec?.unschedulable ?? false) }),
};
