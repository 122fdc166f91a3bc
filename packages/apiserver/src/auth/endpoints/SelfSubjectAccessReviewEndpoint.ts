import { ApiError } from '@tugboat/core';

import type {
  ApiEndpoint,
  ApiEndpointRequest,
  AuthorizationAttributes,
  Authorizer,
} from '../../http/hooks.js';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

/**
 * `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`: may I do this? Asks the
 * authorizer about the caller and answers in `status` (what `kubectl auth can-i` sends).
 */
export class SelfSubjectAccessReviewEndpoint implements ApiEndpoint {
  readonly group = 'authorization.k8s.io';
  readonly version = 'v1';
  readonly resource = 'selfsubjectaccessreviews';

  constructor(private readonly authorizer: Authorizer) {}

  async create(request: ApiEndpointRequest): Promise<unknown> {
    const body = request.body;
    checkKind(body, 'SelfSubjectAccessReview');
    const spec = (body['spec'] ?? {}) as {
      resourceAttributes?: ResourceAttributes | null;
      nonResourceAttributes?: { path?: string; verb?: string } | null;
    };
    const res = spec.resourceAttributes ?? undefined;
    const nonRes = spec.nonResourceAttributes ?? undefined;
    if ((res === undefined) === (nonRes === undefined)) {
      throw invalid('spec', 'exactly one of resourceAttributes or nonResourceAttributes must be specified');
    }
    let attributes: AuthorizationAttributes;
    if (res !== undefined) {
      attributes = {
        user: request.user,
        verb: res.verb ?? '',
        resourceRequest: true,
        apiGroup: res.group ?? '',
        apiVersion: res.version ?? '',
        resource: res.resource ?? '',
        ...(res.subresource ? { subresource: res.subresource } : {}),
        ...(res.namespace ? { namespace: res.namespace } : {}),
        ...(res.name ? { name: res.name } : {}),
        path: '',
      };
    } else {
      attributes = {
        user: request.user,
        verb: nonRes?.verb ?? '',
        resourceRequest: false,
        apiGroup: '',
        apiVersion: '',
        resource: '',
        path: nonRes?.path ?? '',
      };
    }
    const decision = await this.authorizer.authorize(attributes);
    return {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: { creationTimestamp: null },
      spec,
      status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
    };
  }
}

/** Rejects a body of another kind or apiVersion, as the server's decoding would. */
export function checkKind(body: Record<string, unknown>, kind: string, apiVersion?: string): void {
  if (body['kind'] !== undefined && body['kind'] !== kind) {
    throw new ApiError(
      'BadRequest',
      `the kind in the data (${JSON.stringify(body['kind'])}) does not match the expected kind (${kind})`,
    );
  }
  if (apiVersion !== undefined && body['apiVersion'] !== undefined && body['apiVersion'] !== apiVersion) {
    throw new ApiError(
      'BadRequest',
      `the API version in the data (${JSON.stringify(body['apiVersion'])}) does not match the expected API version (${apiVersion})`,
    );
  }
}

/** An `Invalid` error with one cause. */
export function invalid(field: string, message: string, kind = 'SelfSubjectAccessReview'): ApiError {
  return new ApiError(
    'Invalid',
    `${kind}.authorization.k8s.io "" is invalid: ${field}: Invalid value: ${message}`,
    {
      kind,
      causes: [{ reason: 'FieldValueInvalid', field, message }],
    },
  );
}
