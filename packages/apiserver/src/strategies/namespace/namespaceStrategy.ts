import type { StatusCause, corev1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { statusSubresource } from '../statusSubresource.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { formats } from '../validation/formats.js';
import { validateMeta } from '../validation/validateMeta.js';
import type { Unchecked } from '../validation/Unchecked.js';

const split = statusSubresource<corev1.Namespace>(() => ({ phase: 'Active' }));
const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function validateNamespace(ns: Unchecked<corev1.Namespace>): StatusCause[] {
  const causes = validateMeta(ns.metadata, 'dns1123Label');
  const path = FieldPath.of('spec', 'finalizers');
  for (const f of ns.spec?.finalizers ?? []) {
    const msgs = formats.qualifiedName(f);
    causes.push(...msgs.map((m) => fieldError.invalid(path, f, m)));
    if (msgs.length === 0 && !f.includes('/') && !standardFinalizers.has(f)) {
      causes.push(
        fieldError.invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'),
      );
    }
  }
  causes.push(...validatePhase(ns));
  return causes;
}

function validatePhase(ns: Unchecked<corev1.Namespace>): StatusCause[] {
  const phase = ns.status?.phase;
  if (phase === undefined || phase === 'Active' || phase === 'Terminating') return [];
  return [fieldError.notSupported(FieldPath.of('status', 'phase'), phase, ['Active', 'Terminating'])];
}

/**
 * The strategy for core/v1 Namespaces: names are DNS-1123 labels; a new namespace is `Active`
 * with the `kubernetes` finalizer; `spec.finalizers` change only through the finalize subresource.
 */
export const namespaceStrategy: Strategy<corev1.Namespace> = {
  prepareForCreate(ns) {
    split.prepareForCreate(ns);
    // Required on create; only the finalize subresource may remove it later.
    const finalizers = ns.spec?.finalizers ?? [];
    if (!finalizers.includes('kubernetes'))
      ns.spec = { ...ns.spec, finalizers: [...finalizers, 'kubernetes'] };
  },
  prepareForUpdate(ns, old) {
    split.prepareForUpdate(ns, old);
    if (old.spec === undefined) delete ns.spec;
    else ns.spec = structuredClone(old.spec);
  },
  prepareForStatusUpdate: split.prepareForStatusUpdate,
  applyDefaults(ns) {
    const name = ns.metadata?.name;
    // Every namespace carries its own name as a label, so selectors can pick namespaces by name.
    if (name && ns.metadata)
      ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': name };
    ns.spec ??= {};
    ns.spec.finalizers ??= ['kubernetes'];
  },
  validate: (ns) => validateNamespace(ns),
  validateUpdate: (ns) => validateNamespace(ns),
  fieldsOf: (ns) => ({ 'status.phase': ns.status?.phase ?? '' }),
};
