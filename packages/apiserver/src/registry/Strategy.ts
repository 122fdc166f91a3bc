import type { KubeObject, StatusCause } from '@tugboat/core';

/** What a strategy may consult while validating: the request and the user behind it. */
export interface StrategyContext {
  /** The namespace of the request, for namespaced kinds. */
  readonly namespace?: string;
  /** `true` when validating the `status` subresource write. */
  readonly subresource?: string;
}

/**
 * The per-kind behaviour of the generic registry, as upstream's `rest.RESTCreateStrategy` /
 * `RESTUpdateStrategy`. Every hook is optional; the generic registry does the rest (metadata,
 * uid, resourceVersion, generation, finalizers, deletion).
 *
 * Hooks mutate the object in place. Validation returns one cause per bad field, with the
 * Kubernetes field path and message (`spec.containers[0].image: Required value`).
 */
export interface Strategy<T extends KubeObject = KubeObject> {
  /** Clears what a create may not set (e.g. `status` for kinds with a status subresource). */
  prepareForCreate?(object: T): void;
  /** Copies from `old` what an update of the main resource may not change (e.g. `status`). */
  prepareForUpdate?(object: T, old: T): void;
  /**
   * Copies from `old` everything but `status`, for a write to the `status` subresource (or to a
   * subresource that writes part of the status, named in `context.subresource`: a CSR's `approval`).
   */
  prepareForStatusUpdate?(object: T, old: T, context?: StrategyContext): void;
  /** Fills upstream defaults (restartPolicy, strategy 25%/25%, …). Runs before validation. */
  applyDefaults?(object: T): void;
  /** Validation on create. */
  validate?(object: T, context: StrategyContext): StatusCause[];
  /** Validation on update, including immutable fields. */
  validateUpdate?(object: T, old: T, context: StrategyContext): StatusCause[];
  /** The spec-bearing part whose change bumps `metadata.generation` (default: everything but metadata and status). */
  specOf?(object: T): unknown;
  /** Field values for field selectors beyond metadata.name/namespace. */
  fieldsOf?(object: T): Record<string, string>;
  /**
   * Removes, in place, fields the kind's schema does not know and returns their paths
   * (`spec.foo`). `fieldValidation: Strict` turns a non-empty result into `BadRequest`.
   */
  unknownFields?(object: T): string[];
}
