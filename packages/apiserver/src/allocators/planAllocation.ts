import { isIP } from 'node:net';

import type { corev1, StatusCause } from '@tugboat/core';

import { FieldPath } from '../strategies/validation/FieldPath.js';
import { fieldError } from '../strategies/validation/fieldError.js';
import type { AllocationKind } from './AllocationKeys.js';
import type { AllocationLedger } from './AllocationLedger.js';
import type { Ipv4Range } from './Ipv4Range.js';
import type { PortRange } from './PortRange.js';

/** One item a write takes that it did not hold before: claimed through its store key. */
export interface Pick {
  readonly kind: AllocationKind;
  item: number;
  readonly dynamic: boolean;
  readonly field: FieldPath;
  readonly port?: corev1.ServicePort;
}

/** What {@link planAllocation} decided: problems to report, items kept from before, items to take. */
export interface AllocationPlan {
  readonly causes: StatusCause[];
  readonly kept: Pick[];
  readonly picks: Pick[];
}

/** The allocator's state a plan reads: ranges, who holds what, and the next free candidates. */
export interface PlanContext {
  readonly ipRange: Ipv4Range;
  readonly portRange: PortRange;
  readonly ips: AllocationLedger;
  readonly ports: AllocationLedger;
  nextFreeIp(): number | undefined;
  nextFreePort(taken: readonly number[]): number | undefined;
}

const spec = FieldPath.of('spec');

/**
 * Decides, from this server's view alone, which cluster IP and NodePorts a Service write needs:
 * requested values are checked (range, held by another Service), missing ones are picked from the
 * next free candidates and filled in. Nothing is reserved or claimed here.
 */
export function planAllocation(
  svc: corev1.Service,
  old: corev1.Service | undefined,
  owner: string,
  ctx: PlanContext,
): AllocationPlan {
  const s = (svc.spec ??= {});
  const causes: StatusCause[] = [];
  const kept: Pick[] = [];
  const picks: Pick[] = [];
  if (s.type !== 'ExternalName' && s.clusterIP !== 'None') {
    const requested = s.clusterIPs?.[0] || s.clusterIP || '';
    const field = spec.child('clusterIPs').index(0);
    const offset = requested ? ctx.ipRange.offsetOf(requested) : undefined;
    if (requested && requested === old?.spec?.clusterIP) {
      if (offset !== undefined) kept.push({ kind: 'clusterips', item: offset, dynamic: false, field });
    } else if (requested) {
      if (isIP(requested) === 0) {
        // Text that is no IP at all is left to validation, which names the format.
      } else if (offset === undefined) {
        causes.push(
          fieldError.invalid(
            field,
            requested,
            `provided IP is not in the valid range. The range of valid IPs is ${ctx.ipRange.cidr}`,
          ),
        );
      } else if (!ctx.ips.isFreeFor(offset, owner)) {
        causes.push(alreadyAllocated('clusterips', field, requested));
      } else picks.push({ kind: 'clusterips', item: offset, dynamic: false, field });
    } else {
      const next = ctx.nextFreeIp();
      if (next === undefined) causes.push(rangeFull('clusterips', field));
      else {
        picks.push({ kind: 'clusterips', item: next, dynamic: true, field });
        setClusterIp(s, ctx.ipRange.addressAt(next));
      }
    }
  }
  if (s.type === 'NodePort' || s.type === 'LoadBalancer') {
    const wantAll = s.type === 'NodePort' || s.allocateLoadBalancerNodePorts !== false;
    const previous = new Set((old?.spec?.ports ?? []).map((p) => p.nodePort).filter((p) => p !== undefined));
    const taken: number[] = [];
    for (const [i, port] of (s.ports ?? []).entries()) {
      const field = spec.child('ports').index(i).child('nodePort');
      const p = port.nodePort;
      if (p) {
        if (taken.includes(p)) continue;
        taken.push(p);
        if (previous.has(p)) kept.push({ kind: 'nodeports', item: p, dynamic: false, field });
        else if (!ctx.portRange.contains(p)) {
          causes.push(
            fieldError.invalid(
              field,
              p,
              `provided port is not in the valid range. The range of valid ports is ${ctx.portRange.toString()}`,
            ),
          );
        } else if (!ctx.ports.isFreeFor(p, owner)) causes.push(alreadyAllocated('nodeports', field, p));
        else picks.push({ kind: 'nodeports', item: p, dynamic: false, field });
      } else if (wantAll) {
        const next = ctx.nextFreePort(taken);
        if (next === undefined) causes.push(rangeFull('nodeports', field));
        else {
          taken.push(next);
          picks.push({ kind: 'nodeports', item: next, dynamic: true, field, port });
          port.nodePort = next;
        }
      }
    }
  }
  return { causes, kept, picks };
}

/** Sets a Service's single IPv4 cluster IP in all three fields that carry it. */
export function setClusterIp(s: corev1.ServiceSpec, ip: string): void {
  s.clusterIP = ip;
  s.clusterIPs = [ip];
  s.ipFamilies = ['IPv4'];
}

/** The 422 cause for a requested item another Service holds, worded as upstream. */
export function alreadyAllocated(
  kind: AllocationKind,
  field: FieldPath,
  value: string | number,
): StatusCause {
  return kind === 'clusterips'
    ? fieldError.invalid(field, String(value), 'provided IP is already allocated')
    : fieldError.invalid(field, Number(value), 'provided port is already allocated');
}

/** The 422 cause for a range with no free item left, worded as upstream. */
export function rangeFull(kind: AllocationKind, field: FieldPath): StatusCause {
  return kind === 'clusterips'
    ? fieldError.invalid(field, '', 'failed to allocate a serviceIP: range is full')
    : fieldError.invalid(field, 0, 'failed to allocate a nodePort: range is full');
}
