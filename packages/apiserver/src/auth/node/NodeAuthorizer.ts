import type { corev1 } from '@tugboat/core';

import type { AuthorizationAttributes, AuthorizationDecision, Authorizer } from '../../http/hooks.js';
import { nodeRules } from '../rbac/bootstrapPolicy.js';
import { ruleAllows } from '../rbac/ruleAllows.js';
import { nodeNameOf } from '../users.js';

/** The pods bound to a node, as the Node authorizer needs them. */
export interface NodePods {
  podsOnNode(node: string): readonly corev1.Pod[];
}

/** The namespace of node Leases. */
export const nodeLeaseNamespace = 'kube-node-lease';

const readVerbs = new Set(['get', 'list', 'watch']);

/**
 * The Node {@link Authorizer}, after upstream's: a node agent (user `system:node:<name>` in
 * `system:nodes`) gets the `system:node` rules, narrowed to what relates to it — only its own
 * Node and its Lease in `kube-node-lease` by name, and secrets, configmaps and ServiceAccount
 * tokens only in namespaces where a pod is bound to it. What cannot be told from the request
 * (the body of a create, the pod behind a status update) is left to {@link NodeRestriction}.
 * Other users get no opinion.
 */
export class NodeAuthorizer implements Authorizer {
  constructor(private readonly pods: NodePods) {}

  authorize(a: AuthorizationAttributes): Promise<AuthorizationDecision> {
    const node = nodeNameOf(a.user);
    if (node === undefined || !a.resourceRequest) return Promise.resolve({ allowed: false });
    const denied = this.unrelated(node, a);
    if (denied !== undefined) return Promise.resolve({ allowed: false, reason: denied });
    const allowed = nodeRules.some((rule) => ruleAllows(rule, a));
    return Promise.resolve(
      allowed ? { allowed: true, reason: `node "${node}" may ${a.verb} this` } : { allowed: false },
    );
  }

  /** Why the request touches something unrelated to the node, or `undefined` when it does not. */
  private unrelated(node: string, a: AuthorizationAttributes): string | undefined {
    const none = `no relationship found between node '${node}' and this object`;
    const group = a.apiGroup;
    if (group === '' && a.resource === 'nodes' && !readVerbs.has(a.verb) && a.verb !== 'create') {
      return a.name === node ? undefined : `node '${node}' cannot modify node '${a.name ?? ''}'`;
    }
    if (group === 'coordination.k8s.io' && a.resource === 'leases') {
      if (a.namespace !== nodeLeaseNamespace) return none;
      return a.verb === 'create' || a.name === node
        ? undefined
        : `node '${node}' cannot touch lease '${a.name ?? ''}'`;
    }
    const namespaced =
      group === '' &&
      (a.resource === 'secrets' ||
        a.resource === 'configmaps' ||
        (a.resource === 'serviceaccounts' && a.subresource === 'token'));
    if (namespaced) {
      const ns = a.namespace;
      if (ns === undefined || !this.pods.podsOnNode(node).some((p) => p.metadata?.namespace === ns))
        return none;
    }
    return undefined;
  }
}
