import { metaTime, ApiError, resources, type ApiClient, type StatusCause } from '@tugboat/core';

import type { ApiEndpoint, ApiEndpointRequest } from '../../http/hooks.js';
import type { ServiceAccountTokens } from '../ServiceAccountTokens.js';
import { checkKind } from './SelfSubjectAccessReviewEndpoint.js';

const defaultExpirationSeconds = 3600;
const minExpirationSeconds = 600;
const maxExpirationSeconds = 2 ** 32;

interface TokenRequestSpec {
  audiences?: unknown;
  expirationSeconds?: unknown;
  boundObjectRef?: { kind?: unknown; apiVersion?: unknown; name?: unknown; uid?: unknown } | null;
}

/**
 * `POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`: the TokenRequest subresource
 * (`kubectl create token`). Issues a ServiceAccount JWT for the named ServiceAccount, optionally
 * bound to a pod, with the requested audiences and lifetime.
 */
export class TokenRequestEndpoint implements ApiEndpoint {
  readonly group = '';
  readonly version = 'v1';
  readonly resource = 'serviceaccounts';
  readonly subresource = 'token';

  constructor(
    private readonly tokens: ServiceAccountTokens,
    /** Reads ServiceAccounts and pods (the in-process client). */
    private readonly client: ApiClient,
  ) {}

  async create(request: ApiEndpointRequest): Promise<unknown> {
    const { body } = request;
    const namespace = request.namespace ?? '';
    const name = request.name ?? '';
    checkKind(body, 'TokenRequest', 'authentication.k8s.io/v1');
    const spec = (body['spec'] ?? {}) as TokenRequestSpec;
    const causes: StatusCause[] = [];
    const expirationSeconds = spec.expirationSeconds ?? defaultExpirationSeconds;
    if (typeof expirationSeconds !== 'number' || !Number.isInteger(expirationSeconds)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.expirationSeconds',
        message: 'must be an integer',
      });
    } else if (expirationSeconds < minExpirationSeconds) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.expirationSeconds',
        message: 'may not specify a duration less than 10 minutes',
      });
    } else if (expirationSeconds > maxExpirationSeconds) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.expirationSeconds',
        message: 'may not specify a duration larger than 2^32 seconds',
      });
    }
    const audiences = spec.audiences ?? [];
    if (!Array.isArray(audiences) || audiences.some((a) => typeof a !== 'string' || a === '')) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.audiences',
        message: 'must be a list of non-empty strings',
      });
    }
    const ref = spec.boundObjectRef ?? undefined;
    if (ref !== undefined && ref.kind !== 'Pod') {
      causes.push({
        reason: 'FieldValueNotSupported',
        field: 'spec.boundObjectRef.kind',
        message: `Unsupported value: ${JSON.stringify(ref.kind)}: supported values: "Pod"`,
      });
    }
    if (ref !== undefined && (typeof ref.name !== 'string' || ref.name === '')) {
      causes.push({
        reason: 'FieldValueRequired',
        field: 'spec.boundObjectRef.name',
        message: 'Required value',
      });
    }
    if (causes.length > 0) {
      throw new ApiError(
        'Invalid',
        `TokenRequest.authentication.k8s.io "${name}" is invalid: ${causes.map((c) => `${c.field ?? ''}: ${c.message}`).join(', ')}`,
        {
          name,
          group: 'authentication.k8s.io',
          kind: 'TokenRequest',
          causes,
        },
      );
    }
    const sa = await this.client.get(resources.ServiceAccounts, name, { namespace });
    let pod: { name: string; uid: string } | undefined;
    if (ref !== undefined) {
      const found = await this.client.get(resources.Pods, String(ref.name), { namespace });
      const uid = found.metadata?.uid ?? '';
      if (typeof ref.uid === 'string' && ref.uid !== '' && ref.uid !== uid) {
        throw new ApiError(
          'Conflict',
          `the UID in the bound object reference (${ref.uid}) does not match the UID in record (${uid}); the object might have been deleted and then recreated`,
        );
      }
      pod = { name: String(ref.name), uid };
    }
    const issued = await this.tokens.issue({
      namespace,
      serviceAccount: { name, uid: sa.metadata?.uid ?? '' },
      ...(pod !== undefined ? { pod } : {}),
      audiences: audiences as string[],
      expirationSeconds: expirationSeconds as number,
    });
    const now = new Date();
    return {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name, namespace, creationTimestamp: metaTime(now.getTime()) },
      spec: {
        audiences: (audiences as string[]).length > 0 ? audiences : [...this.tokens.apiAudiences],
        expirationSeconds,
        boundObjectRef:
          ref !== undefined ? { kind: 'Pod', apiVersion: 'v1', name: pod?.name, uid: pod?.uid } : null,
      },
      status: { token: issued.token, expirationTimestamp: metaTime(issued.expiresAt.getTime()) },
    };
  }
}
