import type { StatusCause, corev1 } from '@tugboat/core';

import { checks } from '../validation/checks.js';
import type { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import type { Unchecked } from '../validation/Unchecked.js';
import { validateHandler, validateProbe } from './validateProbe.js';
import { validateResources } from './validateResources.js';

/** What container validation needs from the rest of the pod spec. */
export interface ContainerContext {
  /** Names of the pod's volumes, which volume mounts must reference. */
  readonly volumes: ReadonlySet<string>;
  /** Container names seen so far (init and app containers share one namespace). */
  readonly names: Set<string>;
  /** `hostPort/protocol` pairs seen so far: two containers cannot bind one host port. */
  readonly hostPorts: Set<string>;
  /** Whether the pod uses the host network (host ports must equal container ports). */
  readonly hostNetwork: boolean;
  /** Whether these are init containers (no probes or lifecycle allowed). */
  readonly init: boolean;
}

function validatePorts(
  c: Unchecked<corev1.Container>,
  path: FieldPath,
  ctx: ContainerContext,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  for (const [i, port] of (c.ports ?? []).entries()) {
    const p = path.index(i);
    if (port.name) {
      causes.push(...checks.format(port.name, 'portName', p.child('name')));
      if (names.has(port.name)) causes.push(fieldError.duplicate(p.child('name'), port.name));
      names.add(port.name);
    }
    if (!port.containerPort) causes.push(fieldError.required(p.child('containerPort')));
    else causes.push(...checks.port(port.containerPort, p.child('containerPort')));
    if (port.hostPort) {
      causes.push(...checks.port(port.hostPort, p.child('hostPort')));
      const key = `${port.protocol ?? 'TCP'}/${port.hostIP ?? ''}/${port.hostPort}`;
      if (ctx.hostPorts.has(key)) causes.push(fieldError.duplicate(p.child('hostPort'), key));
      ctx.hostPorts.add(key);
      if (ctx.hostNetwork && port.hostPort !== port.containerPort) {
        causes.push(
          fieldError.invalid(
            p.child('hostPort'),
            port.hostPort,
            'must match `containerPort` when `hostNetwork` is true',
          ),
        );
      }
    }
    causes.push(...checks.oneOf(port.protocol, ['SCTP', 'TCP', 'UDP'], p.child('protocol'), true));
  }
  return causes;
}

function validateEnv(c: Unchecked<corev1.Container>, path: FieldPath): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [i, env] of (c.env ?? []).entries()) {
    const p = path.child('env').index(i);
    if (!env.name) causes.push(fieldError.required(p.child('name')));
    else causes.push(...checks.format(env.name, 'envVarName', p.child('name')));
    const from = env.valueFrom;
    if (!from) continue;
    const sources = (['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const).filter(
      (s) => from[s],
    );
    if (env.value) {
      causes.push(
        fieldError.invalid(p.child('valueFrom'), '', 'may not be specified when `value` is not empty'),
      );
    }
    if (sources.length === 0) {
      causes.push(
        fieldError.invalid(
          p.child('valueFrom'),
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    } else if (sources.length > 1) {
      causes.push(
        fieldError.invalid(p.child('valueFrom'), '', 'may not have more than one field specified at a time'),
      );
    }
    if (from.fieldRef)
      causes.push(...checks.required(from.fieldRef.fieldPath, p.child('valueFrom', 'fieldRef', 'fieldPath')));
    if (from.resourceFieldRef) {
      causes.push(
        ...checks.required(
          from.resourceFieldRef.resource,
          p.child('valueFrom', 'resourceFieldRef', 'resource'),
        ),
      );
    }
    for (const ref of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const r = from[ref];
      if (r) causes.push(...checks.required(r.key, p.child('valueFrom', ref, 'key')));
      if (r?.key) causes.push(...checks.format(r.key, 'configMapKey', p.child('valueFrom', ref, 'key')));
    }
  }
  for (const [i, src] of (c.envFrom ?? []).entries()) {
    const p = path.child('envFrom').index(i);
    if (src.prefix) causes.push(...checks.format(src.prefix, 'envVarName', p.child('prefix')));
    if (src.configMapRef && src.secretRef) {
      causes.push(fieldError.invalid(p, '', 'may not have more than one field specified at a time'));
    } else if (!src.configMapRef && !src.secretRef) {
      causes.push(fieldError.invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    }
  }
  return causes;
}

function validateMounts(
  c: Unchecked<corev1.Container>,
  path: FieldPath,
  ctx: ContainerContext,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const paths = new Set<string>();
  for (const [i, m] of (c.volumeMounts ?? []).entries()) {
    const p = path.child('volumeMounts').index(i);
    if (!m.name) causes.push(fieldError.required(p.child('name')));
    else if (!ctx.volumes.has(m.name)) causes.push(fieldError.notFound(p.child('name'), m.name));
    if (!m.mountPath) causes.push(fieldError.required(p.child('mountPath')));
    else if (paths.has(m.mountPath))
      causes.push(fieldError.invalid(p.child('mountPath'), m.mountPath, 'must be unique'));
    if (m.mountPath) paths.add(m.mountPath);
    if (m.subPath && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      causes.push(fieldError.invalid(p.child('subPath'), m.subPath, "must be a relative path without '..'"));
    }
  }
  return causes;
}

/** Validates one container (`spec.containers[i]` or `spec.initContainers[i]`), sharing name and host-port state via `ctx`. */
export function validateContainer(
  c: Unchecked<corev1.Container>,
  path: FieldPath,
  ctx: ContainerContext,
): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!c.name) causes.push(fieldError.required(path.child('name')));
  else {
    causes.push(...checks.format(c.name, 'dns1123Label', path.child('name')));
    if (ctx.names.has(c.name)) causes.push(fieldError.duplicate(path.child('name'), c.name));
    ctx.names.add(c.name);
  }
  if (!c.image) causes.push(fieldError.required(path.child('image')));
  else if (c.image.trim() !== c.image) {
    causes.push(
      fieldError.invalid(path.child('image'), c.image, 'must not have leading or trailing whitespace'),
    );
  }
  causes.push(
    ...checks.oneOf(
      c.imagePullPolicy,
      ['Always', 'IfNotPresent', 'Never'],
      path.child('imagePullPolicy'),
      true,
    ),
  );
  causes.push(
    ...checks.oneOf(
      c.terminationMessagePolicy,
      ['File', 'FallbackToLogsOnError'],
      path.child('terminationMessagePolicy'),
    ),
  );
  causes.push(...validatePorts(c, path.child('ports'), ctx));
  causes.push(...validateEnv(c, path));
  causes.push(...validateMounts(c, path, ctx));
  causes.push(...validateResources(c.resources, path.child('resources')));
  if (ctx.init) {
    // Upstream allows probes on init containers only as restartable sidecars.
    const sidecar = c.restartPolicy === 'Always';
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (c[probe] && !sidecar)
        causes.push(
          fieldError.forbidden(
            path.child(probe),
            'may not be set for init containers without restartPolicy=Always',
          ),
        );
    }
    causes.push(...checks.oneOf(c.restartPolicy, ['Always'], path.child('restartPolicy')));
  } else if (c.restartPolicy !== undefined) {
    causes.push(fieldError.forbidden(path.child('restartPolicy'), 'may not be set for non-init containers'));
  }
  if (!ctx.init || c.restartPolicy === 'Always') {
    causes.push(...validateProbe(c.livenessProbe, path.child('livenessProbe'), true));
    causes.push(...validateProbe(c.readinessProbe, path.child('readinessProbe'), false));
    causes.push(...validateProbe(c.startupProbe, path.child('startupProbe'), true));
  }
  const lifecycle = c.lifecycle;
  for (const hook of ['postStart', 'preStop'] as const) {
    const h = lifecycle?.[hook];
    if (h)
      causes.push(
        ...validateHandler(h, path.child('lifecycle', hook), ['exec', 'httpGet', 'tcpSocket', 'sleep']),
      );
  }
  return causes;
}
