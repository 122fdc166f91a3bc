import type { KubeObject } from '@tugboat/core';

import type { Strategy } from '../../src/registry/Strategy.js';

/** Runs a create through a strategy as the registry does: defaults, prepare, validate. Returns `field: message` lines. */
export function create<T extends KubeObject>(
  strategy: Strategy<T>,
  object: T,
  namespace = 'default',
): string[] {
  strategy.applyDefaults?.(object);
  strategy.prepareForCreate?.(object);
  return (strategy.validate?.(object, { namespace }) ?? []).map((c) =>
    c.field ? `${c.field}: ${c.message}` : c.message,
  );
}

/** Runs an update through a strategy: defaults, prepare, validateUpdate. Returns `field: message` lines. */
export function update<T extends KubeObject>(
  strategy: Strategy<T>,
  object: T,
  old: T,
  namespace = 'default',
): string[] {
  strategy.applyDefaults?.(object);
  strategy.prepareForUpdate?.(object, old);
  return (strategy.validateUpdate?.(object, old, { namespace }) ?? []).map((c) =>
    c.field ? `${c.field}: ${c.message}` : c.message,
  );
}

/** A deep copy, so a test can mutate a fixture. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Sets `status`, which kubernetes-types marks read-only on some kinds (the server owns it). */
export function setStatus(object: object, status: unknown): void {
  (object as { status?: unknown }).status = status;
}
