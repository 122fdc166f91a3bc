import type { ResourceDefinition, Subresource } from '@tugboat/core';

/** How discovery describes one subresource: the kind it speaks (and its group/version when foreign) and its verbs. */
export interface SubresourceInfo {
  readonly kind: string;
  readonly group?: string;
  readonly version?: string;
  readonly verbs: readonly string[];
}

/** Discovery facts of a subresource of `def`, as upstream serves them (`deployments/scale` speaks autoscaling/v1 Scale). */
export function subresourceInfo(def: ResourceDefinition, sub: Subresource): SubresourceInfo {
  switch (sub) {
    case 'status':
      return { kind: def.kind, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { kind: 'Binding', group: '', version: 'v1', verbs: ['create'] };
    case 'log':
      return { kind: 'Pod', verbs: ['get'] };
    case 'exec':
      return { kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'attach':
      return { kind: 'PodAttachOptions', verbs: ['create', 'get'] };
    case 'portforward':
      return { kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
    case 'eviction':
      return { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] };
    case 'token':
      return { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] };
    case 'proxy':
      return { kind: `${def.kind}ProxyOptions`, verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    case 'finalize':
      return { kind: def.kind, verbs: ['update'] };
    case 'approval':
      return { kind: def.kind, verbs: ['get', 'patch', 'update'] };
  }
}
