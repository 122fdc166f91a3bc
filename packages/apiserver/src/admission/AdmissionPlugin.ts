import type { KubeObject, ResourceDefinition } from '@tugboat/core';

import type { UserInfo } from '../registry/RequestContext.js';

/** The operation an admission plugin is asked about. */
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** What an admission plugin sees of one request, as upstream's `admission.Attributes`. */
export interface AdmissionAttributes {
  readonly operation: AdmissionOperation;
  readonly resource: ResourceDefinition;
  readonly subresource?: string;
  readonly name: string;
  readonly namespace?: string;
  /** The object being written; a mutating plugin may change it in place. Absent for DELETE. */
  readonly object?: KubeObject;
  /** The stored object, for UPDATE and DELETE. */
  readonly oldObject?: KubeObject;
  readonly user: UserInfo;
  readonly dryRun: boolean;
}

/**
 * An admission plugin: `admit` throws an ApiError (usually `Forbidden`) to reject the request.
 * Mutating plugins run first, in order, and may change `attributes.object`; validating plugins
 * run after the object is validated and may only accept or reject.
 */
export interface AdmissionPlugin {
  readonly name: string;
  /** `mutating` (the default) runs before validation, `validating` after. */
  readonly phase?: 'mutating' | 'validating';
  admit(attributes: AdmissionAttributes): Promise<void>;
}

/** Runs the plugins of one phase in order; the first rejection wins. */
export async function runAdmission(
  plugins: readonly AdmissionPlugin[],
  phase: 'mutating' | 'validating',
  attributes: AdmissionAttributes,
): Promise<void> {
  for (const plugin of plugins) {
    if ((plugin.phase ?? 'mutating') === phase) await plugin.admit(attributes);
  }
}
