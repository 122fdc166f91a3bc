import type { StatusCause, corev1 } from '@tugboat/core';

import type { Strategy } from '../../registry/Strategy.js';
import { isBase64 } from '../validation/base64.js';
import { checks } from '../validation/checks.js';
import { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import { validateImmutableData } from '../validation/validateImmutableData.js';
import { validateMeta } from '../validation/validateMeta.js';
import type { Unchecked } from '../validation/Unchecked.js';

/** The most data a ConfigMap or Secret may hold (1 MiB), as upstream. */
export const maxDataBytes = 1024 * 1024;

function validateConfigMap(cm: Unchecked<corev1.ConfigMap>): StatusCause[] {
  const causes = validateMeta(cm.metadata, 'dns1123Subdomain');
  let size = 0;
  const data = FieldPath.of('data');
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    causes.push(...checks.format(key, 'configMapKey', data.key(key)));
    if (typeof value !== 'string') causes.push(fieldError.invalid(data.key(key), value, 'must be a string'));
    else size += Buffer.byteLength(value);
  }
  const binary = FieldPath.of('binaryData');
  for (const [key, value] of Object.entries(cm.binaryData ?? {})) {
    causes.push(...checks.format(key, 'configMapKey', binary.key(key)));
    if (cm.data && key in cm.data)
      causes.push(fieldError.invalid(data.key(key), key, 'duplicate of key present in binaryData'));
    if (typeof value !== 'string' || !isBase64(value)) {
      causes.push(fieldError.invalid(binary.key(key), '<binary data>', 'must be base64-encoded'));
    } else size += Buffer.from(value, 'base64').length;
  }
  if (size > maxDataBytes) causes.push(fieldError.tooLarge(FieldPath.of(''), maxDataBytes));
  return causes;
}

/** The strategy for core/v1 ConfigMaps: valid keys, data and binaryData disjoint, 1 MiB cap, `immutable`. */
export const configMapStrategy: Strategy<corev1.ConfigMap> = {
  validate: (cm) => validateConfigMap(cm),
  validateUpdate: (cm, old) => [...validateConfigMap(cm), ...validateImmutableData(cm, old)],
};
