import type { StatusCause, corev1 } from '@tugboat/core';

import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import type { Unchecked } from '../validation/Unchecked.js';

const status = FieldPath.of('status');
const phases = ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'];
const terminal = new Set(['Failed', 'Succeeded']);

function validateIps(
  list: Unchecked<corev1.PodIP | corev1.HostIP>[] | undefined,
  path: FieldPath,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of (list ?? []).entries()) {
    const p = path.index(i).child('ip');
    if (!entry.ip) {
      causes.push(fieldError.required(p));
      continue;
    }
    causes.push(...checks.format(entry.ip, 'ip', p));
    if (seen.has(entry.ip)) causes.push(fieldError.duplicate(p, entry.ip));
    seen.add(entry.ip);
  }
  return causes;
}

/**
 * Validates a write to a Pod's `status` subresource: a known phase that does not leave a
 * terminal phase, valid pod and host IPs, and a valid nominated node name.
 */
export function validatePodStatus(pod: Unchecked<corev1.Pod>, old: Unchecked<corev1.Pod>): StatusCause[] {
  const s = pod.status ?? {};
  const causes = checks.oneOf(s.phase, phases, status.child('phase'));
  const oldPhase = old.status?.phase;
  if (oldPhase && terminal.has(oldPhase) && s.phase !== oldPhase) {
    causes.push(
      fieldError.forbidden(
        status.child('phase'),
        `cannot transition from terminal phase ${oldPhase} to ${s.phase ?? '""'}`,
      ),
    );
  }
  causes.push(
    ...checks.format(s.nominatedNodeName || undefined, 'dns1123Subdomain', status.child('nominatedNodeName')),
  );
  if (s.podIP) causes.push(...checks.format(s.podIP, 'ip', status.child('podIP')));
  causes.push(...validateIps(s.podIPs, status.child('podIPs')));
  if (s.podIP && s.podIPs?.[0]?.ip !== undefined && s.podIPs[0].ip !== s.podIP) {
    causes.push(
      fieldError.invalid(status.child('podIPs').index(0).child('ip'), s.podIPs[0].ip, 'must match `podIP`'),
    );
  }
  if (s.hostIP) causes.push(...checks.format(s.hostIP, 'ip', status.child('hostIP')));
  causes.push(...validateIps(s.hostIPs, status.child('hostIPs')));
  return causes;
}
