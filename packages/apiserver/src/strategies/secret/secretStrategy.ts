import type { corev1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { validateImmutableData } from '../validation/validateImmutableData.js';
import { validateSecret } from './validateSecret.js';

/**
 * The strategy for core/v1 Secrets: `type` defaults to `Opaque` and is immutable; `stringData`
 * is merged into `data` (base64) as upstream does on decode, so it is never stored.
 */
export const secretStrategy: Strategy<corev1.Secret> = {
  applyDefaults(secret) {
    secret.type ||= 'Opaque';
    if (secret.stringData) {
      const data = (secret.data ??= {});
      for (const [k, v] of Object.entries(secret.stringData))
        data[k] = Buffer.from(v, 'utf8').toString('base64');
      delete secret.stringData;
    }
  },
  validate: (secret) => validateSecret(secret),
  validateUpdate: (secret, old) => [
    ...validateSecret(secret),
    ...checks.immutable(secret.type, old.type, FieldPath.of('type')),
    ...validateImmutableData(secret, old),
  ],
  fieldsOf: (secret) => ({ type: secret.type ?? '' }),
};
