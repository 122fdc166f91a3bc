import type { StatusCause, corev1 } from '@tugboat/core';

import { maxDataBytes } from '../configmap/configMapStrategy.js';
import { isBase64 } from '../validation/base64.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateMeta } from '../validation/validateMeta.js';
import type { Unchecked } from '../validation/Unchecked.js';

const data = FieldPath.of('data');
const redacted = '<secret contents redacted>';

function requireKeys(decoded: Map<string, Buffer>, keys: string[]): StatusCause[] {
  return keys.filter((k) => !decoded.has(k)).map((k) => fieldError.required(data.key(k)));
}

function requireJson(decoded: Map<string, Buffer>, key: string): StatusCause[] {
  const value = decoded.get(key);
  if (value === undefined) return [fieldError.required(data.key(key))];
  try {
    JSON.parse(value.toString('utf8'));
    return [];
  } catch (err) {
    return [fieldError.invalid(data.key(key), redacted, err instanceof Error ? err.message : 'invalid JSON')];
  }
}

function validateType(secret: Unchecked<corev1.Secret>, decoded: Map<string, Buffer>): StatusCause[] {
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      return secret.metadata?.annotations?.['kubernetes.io/service-account.name']
        ? []
        : [
            fieldError.required(
              FieldPath.of('metadata', 'annotations').key('kubernetes.io/service-account.name'),
            ),
          ];
    case 'kubernetes.io/dockercfg':
      return requireJson(decoded, '.dockercfg');
    case 'kubernetes.io/dockerconfigjson':
      return requireJson(decoded, '.dockerconfigjson');
    case 'kubernetes.io/basic-auth':
      return decoded.has('username') || decoded.has('password')
        ? []
        : requireKeys(decoded, ['username', 'password']);
    case 'kubernetes.io/ssh-auth':
      return requireKeys(decoded, ['ssh-privatekey']);
    case 'kubernetes.io/tls':
      return requireKeys(decoded, ['tls.crt', 'tls.key']);
    case undefined:
    default:
      return [];
  }
}

/** Validates a Secret: keys, base64 values, the 1 MiB cap, and the keys its `type` requires. */
export function validateSecret(secret: Unchecked<corev1.Secret>): StatusCause[] {
  const causes = validateMeta(secret.metadata, 'dns1123Subdomain');
  const decoded = new Map<string, Buffer>();
  let size = 0;
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    causes.push(...checks.format(key, 'configMapKey', data.key(key)));
    if (typeof value !== 'string' || !isBase64(value)) {
      causes.push(fieldError.invalid(data.key(key), redacted, 'must be base64-encoded'));
      continue;
    }
    const bytes = Buffer.from(value, 'base64');
    decoded.set(key, bytes);
    size += bytes.length;
  }
  if (size > maxDataBytes) causes.push(fieldError.tooLarge(data, maxDataBytes));
  causes.push(...validateType(secret, decoded));
  return causes;
}
