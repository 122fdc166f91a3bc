import { errors, type Container, type PodSandbox } from '@tugboat/core';

import type { ContainerRecord, SandboxRecord } from './records.js';

/** Throws `Invalid` naming every failed check, as the real runtimes refuse a config missing its identity. */
export function invalidIf(
  kind: string,
  name: string,
  checks: readonly (readonly [boolean, string, string])[],
): void {
  const causes = checks
    .filter(([failed]) => failed)
    .map(([, field, message]) => ({ reason: 'FieldValueRequired', field, message }));
  if (causes.length > 0) throw errors.invalid(kind, name, causes);
}

/** True when every label in `selector` is set to the same value (an absent selector matches all). */
export function matches(
  labels: Readonly<Record<string, string>>,
  selector: Readonly<Record<string, string>> | undefined,
): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/** The contract's view of a sandbox. */
export function sandboxView(sb: SandboxRecord): PodSandbox {
  return {
    id: sb.id,
    metadata: sb.config.metadata,
    state: sb.state,
    createdAt: sb.createdAt,
    labels: sb.labels,
    annotations: sb.annotations,
  };
}

/** The contract's view of a container. */
export function containerView(rec: ContainerRecord): Container {
  return {
    id: rec.id,
    podSandboxId: rec.podSandboxId,
    metadata: rec.config.metadata,
    image: rec.config.image,
    imageRef: rec.imageRef,
    state: rec.state,
    createdAt: rec.createdAt,
    labels: rec.labels,
    annotations: rec.annotations,
  };
}
