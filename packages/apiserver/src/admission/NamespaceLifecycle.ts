import { ApiError, type corev1, type KubeObject } from '@tugboat/core';

import { resourceKey } from '../registry/resourceKey.js';
import type { AdmissionAttributes, AdmissionPlugin } from './AdmissionPlugin.js';

/** The namespaces every cluster has, which can never be deleted. */
export const systemNamespaces: readonly string[] = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

/**
 * The NamespaceLifecycle admission plugin: no new objects in a namespace that does not exist or is
 * being terminated, and the system namespaces cannot be deleted. `getNamespace` reads the stored
 * namespace (undefined when absent).
 */
export class NamespaceLifecycle implements AdmissionPlugin {
  readonly name = 'NamespaceLifecycle';
  readonly phase = 'validating';

  constructor(private readonly getNamespace: (name: string) => Promise<corev1.Namespace | undefined>) {}

  async admit(a: AdmissionAttributes): Promise<void> {
    if (a.resource.group === '' && a.resource.plural === 'namespaces') {
      if (a.operation === 'DELETE' && systemNamespaces.includes(a.name)) {
        throw forbidden(a, 'this namespace may not be deleted');
      }
      return;
    }
    if (a.operation !== 'CREATE' || !a.resource.namespaced || a.namespace === undefined) return;
    const ns = await this.getNamespace(a.namespace);
    if (ns === undefined) {
      throw new ApiError('NotFound', `namespaces "${a.namespace}" not found`, {
        name: a.namespace,
        kind: 'namespaces',
      });
    }
    if (ns.status?.phase === 'Terminating' || ns.metadata?.deletionTimestamp) {
      throw forbidden(
        a,
        `unable to create new content in namespace ${a.namespace} because it is being terminated`,
      );
    }
  }
}

function forbidden(a: AdmissionAttributes, why: string): ApiError {
  const obj: KubeObject | undefined = a.object ?? a.oldObject;
  const name = a.name || obj?.metadata?.name || obj?.metadata?.generateName || '';
  return new ApiError('Forbidden', `${resourceKey(a.resource)} "${name}" is forbidden: ${why}`, {
    name,
    group: a.resource.group,
    kind: a.resource.plural,
  });
}
