import type { ApiEndpoint, ApiEndpointRequest } from '../../http/hooks.js';
import { checkKind } from './SelfSubjectAccessReviewEndpoint.js';

/** `POST /apis/authentication.k8s.io/v1/selfsubjectreviews`: who am I (`kubectl auth whoami`). */
export class SelfSubjectReviewEndpoint implements ApiEndpoint {
  readonly group = 'authentication.k8s.io';
  readonly version = 'v1';
  readonly resource = 'selfsubjectreviews';

  create(request: ApiEndpointRequest): Promise<unknown> {
    checkKind(request.body, 'SelfSubjectReview');
    const { user } = request;
    return Promise.resolve({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: { creationTimestamp: null },
      status: {
        userInfo: {
          username: user.name,
          ...(user.uid !== undefined ? { uid: user.uid } : {}),
          groups: [...user.groups],
          ...(user.extra !== undefined ? { extra: user.extra } : {}),
        },
      },
    });
  }
}
