import type { rbacv1 } from '@tugboat/core';

import type { ApiEndpoint, ApiEndpointRequest } from '../../http/hooks.js';
import type { UserInfo } from '../../registry/RequestContext.js';
import { checkKind, invalid } from './SelfSubjectAccessReviewEndpoint.js';

/** Lists the RBAC rules that apply to a user in a namespace. */
export interface RulesSource {
  rulesFor(user: UserInfo, namespace: string): rbacv1.PolicyRule[];
}

/**
 * `POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews`: what may I do in this namespace
 * (`kubectl auth can-i --list`). Reports the caller's RBAC rules; what other authorizers (Node)
 * grant is not listed, so `incomplete` is true for node identities.
 */
export class SelfSubjectRulesReviewEndpoint implements ApiEndpoint {
  readonly group = 'authorization.k8s.io';
  readonly version = 'v1';
  readonly resource = 'selfsubjectrulesreviews';

  constructor(private readonly rules: RulesSource) {}

  create(request: ApiEndpointRequest): Promise<unknown> {
    checkKind(request.body, 'SelfSubjectRulesReview');
    const spec = (request.body['spec'] ?? {}) as { namespace?: unknown };
    if (spec.namespace !== undefined && typeof spec.namespace !== 'string') {
      return Promise.reject(invalid('spec.namespace', 'must be a string', 'SelfSubjectRulesReview'));
    }
    const namespace = spec.namespace ?? '';
    const rules = this.rules.rulesFor(request.user, namespace);
    return Promise.resolve({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      metadata: { creationTimestamp: null },
      spec: { namespace },
      status: {
        resourceRules: rules
          .filter((r) => (r.resources ?? []).length > 0)
          .map((r) => ({
            verbs: r.verbs,
            apiGroups: r.apiGroups ?? [],
            resources: r.resources ?? [],
            ...(r.resourceNames && r.resourceNames.length > 0 ? { resourceNames: r.resourceNames } : {}),
          })),
        nonResourceRules: rules
          .filter((r) => (r.nonResourceURLs ?? []).length > 0)
          .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs ?? [] })),
        incomplete: request.user.groups.includes('system:nodes'),
      },
    });
  }
}
