import { ApiError, type corev1 } from '@tugboat/core';

import type { AdmissionAttributes, AdmissionPlugin } from '../../admission/AdmissionPlugin.js';
import { nodeNameOf } from '../users.js';
import { nodeLeaseNamespace } from './NodeAuthorizer.js';

const mirrorAnnotation = 'kubernetes.io/config.mirror';

/**
 * The NodeRestriction admission plugin, as upstream's: a node agent may create, change or delete
 * only its own Node and its own Lease, create only mirror pods bound to itself, and update the
 * status of or delete only pods bound to it. Requests from other users pass untouched.
 */
export class NodeRestriction implements AdmissionPlugin {
  readonly name = 'NodeRestriction';
  readonly phase = 'validating' as const;

  admit(a: AdmissionAttributes): Promise<void> {
    const node = nodeNameOf(a.user);
    if (node === undefined) return Promise.resolve();
    const why = this.violation(node, a);
    if (why === undefined) return Promise.resolve();
    return Promise.reject(
      new ApiError('Forbidden', `${a.resource.plural} "${a.name}" is forbidden: ${why}`, {
        name: a.name,
        group: a.resource.group,
        kind: a.resource.plural,
      }),
    );
  }

  private violation(node: string, a: AdmissionAttributes): string | undefined {
    const { group, plural } = a.resource;
    const prefix = `node "${node}"`;
    if (group === '' && plural === 'nodes') {
      return a.name === node ? undefined : `${prefix} is not allowed to modify node "${a.name}"`;
    }
    if (group === 'coordination.k8s.io' && plural === 'leases') {
      return a.namespace === nodeLeaseNamespace && a.name === node
        ? undefined
        : `${prefix} is not allowed to modify lease "${a.namespace ?? ''}/${a.name}"`;
    }
    if (group === '' && plural === 'pods') {
      const pod = (a.operation === 'CREATE' ? a.object : a.oldObject) as corev1.Pod | undefined;
      const bound = pod?.spec?.nodeName === node;
      if (a.operation === 'CREATE') {
        if (pod?.metadata?.annotations?.[mirrorAnnotation] === undefined)
          return `${prefix} can only create mirror pods`;
        return bound ? undefined : `${prefix} can only create pods with spec.nodeName set to itself`;
      }
      if (a.operation === 'UPDATE' && a.subresource !== 'status')
        return `${prefix} can only update pod status`;
      return bound
        ? undefined
        : `${prefix} can only ${a.operation === 'DELETE' ? 'delete' : 'update'} pods bound to it`;
    }
    return undefined;
  }
}
