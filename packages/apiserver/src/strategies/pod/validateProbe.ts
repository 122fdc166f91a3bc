import type { StatusCause, corev1 } from '@tugboat/core';

import { checks } from '../validation/checks.js';
import type { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { formats } from '../validation/formats.js';
import type { Unchecked } from '../validation/Unchecked.js';

/** Validates a port given as a number (1–65535) or a port name (`http`), as upstream's `ValidatePortNumOrName`. */
export function validatePortNumOrName(port: unknown, path: FieldPath): StatusCause[] {
  if (typeof port === 'number') return checks.port(port, path);
  if (typeof port === 'string') {
    if (port === '') return [fieldError.required(path)];
    return formats.portName(port).map((m) => fieldError.invalid(path, port, m));
  }
  return port === undefined
    ? [fieldError.required(path)]
    : [fieldError.invalid(path, port, 'must be an int or a string')];
}

const handlerTypes = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const;

/** Validates that a probe or lifecycle handler has exactly one handler type, and that handler. */
export function validateHandler(
  handler: Unchecked<corev1.Probe | corev1.LifecycleHandler>,
  path: FieldPath,
  allowed: readonly string[],
): StatusCause[] {
  const record = handler as Record<string, unknown>;
  const present = handlerTypes.filter(
    (t) => allowed.includes(t) && record[t] !== undefined && record[t] !== null,
  );
  const causes: StatusCause[] = [];
  if (present.length === 0) return [fieldError.required(path, 'must specify a handler type')];
  for (const extra of present.slice(1)) {
    causes.push(fieldError.forbidden(path.child(extra), 'may not specify more than 1 handler type'));
  }
  if (handler.exec && (handler.exec.command ?? []).length === 0) {
    causes.push(fieldError.required(path.child('exec', 'command')));
  }
  if (handler.httpGet) {
    causes.push(...validatePortNumOrName(handler.httpGet.port, path.child('httpGet', 'port')));
    causes.push(...checks.oneOf(handler.httpGet.scheme, ['HTTP', 'HTTPS'], path.child('httpGet', 'scheme')));
  }
  if (handler.tcpSocket)
    causes.push(...validatePortNumOrName(handler.tcpSocket.port, path.child('tcpSocket', 'port')));
  if ('grpc' in handler && handler.grpc)
    causes.push(...checks.port(handler.grpc.port, path.child('grpc', 'port')));
  return causes;
}

/**
 * Validates a liveness, readiness or startup probe: one handler, non-negative timings, and
 * `successThreshold` 1 where upstream requires it (liveness and startup probes).
 */
export function validateProbe(
  probe: Unchecked<corev1.Probe> | undefined,
  path: FieldPath,
  successMustBeOne: boolean,
): StatusCause[] {
  if (!probe) return [];
  const causes = validateHandler(probe, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  causes.push(...checks.atLeast(probe.initialDelaySeconds, 0, path.child('initialDelaySeconds')));
  causes.push(...checks.atLeast(probe.timeoutSeconds, 0, path.child('timeoutSeconds')));
  causes.push(...checks.atLeast(probe.periodSeconds, 0, path.child('periodSeconds')));
  causes.push(...checks.atLeast(probe.successThreshold, 0, path.child('successThreshold')));
  causes.push(...checks.atLeast(probe.failureThreshold, 0, path.child('failureThreshold')));
  if (successMustBeOne && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    causes.push(fieldError.invalid(path.child('successThreshold'), probe.successThreshold, 'must be 1'));
  }
  return causes;
}
