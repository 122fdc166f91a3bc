import type { StatusCause, corev1 } from '@tugboat/core';

import { checks } from '../validation/checks.js';
import type { FieldPath } from '../validation/FieldPath.js';
import { fieldError } from '../validation/fieldError.js';
import type { Unchecked } from '../validation/Unchecked.js';
import { validateQuantity } from '../validation/validateQuantity.js';
import { volumeSourceFields } from './defaultPodSpec.js';

const hostPathTypes = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
];

function validateSource(v: Unchecked<corev1.Volume>, path: FieldPath): StatusCause[] {
  const causes: StatusCause[] = [];
  if (v.configMap) causes.push(...checks.required(v.configMap.name, path.child('configMap', 'name')));
  if (v.secret) causes.push(...checks.required(v.secret.secretName, path.child('secret', 'secretName')));
  if (v.persistentVolumeClaim) {
    causes.push(
      ...checks.required(v.persistentVolumeClaim.claimName, path.child('persistentVolumeClaim', 'claimName')),
    );
  }
  if (v.hostPath) {
    causes.push(...checks.required(v.hostPath.path, path.child('hostPath', 'path')));
    causes.push(...checks.oneOf(v.hostPath.type, hostPathTypes, path.child('hostPath', 'type')));
  }
  if (v.emptyDir) {
    causes.push(
      ...checks.oneOf(v.emptyDir.medium, ['', 'Memory', 'HugePages'], path.child('emptyDir', 'medium')),
    );
    if (v.emptyDir.sizeLimit !== undefined) {
      causes.push(...validateQuantity(v.emptyDir.sizeLimit, path.child('emptyDir', 'sizeLimit')).causes);
    }
  }
  for (const [name, mode] of [
    ['configMap', v.configMap?.defaultMode],
    ['secret', v.secret?.defaultMode],
    ['downwardAPI', v.downwardAPI?.defaultMode],
    ['projected', v.projected?.defaultMode],
  ] as const) {
    if (mode !== undefined && (mode < 0 || mode > 0o777)) {
      causes.push(
        fieldError.invalid(
          path.child(name, 'defaultMode'),
          mode,
          'must be a number between 0 and 0777 (octal), both inclusive',
        ),
      );
    }
  }
  return causes;
}

/**
 * Validates `spec.volumes`: names (DNS-1123 labels, unique) and exactly one source each.
 * Returns the valid names too, which volume mounts must reference.
 */
export function validateVolumes(
  volumes: Unchecked<corev1.Volume>[] | undefined,
  path: FieldPath,
): { names: Set<string>; causes: StatusCause[] } {
  const names = new Set<string>();
  const causes: StatusCause[] = [];
  for (const [i, v] of (volumes ?? []).entries()) {
    const p = path.index(i);
    if (!v.name) causes.push(fieldError.required(p.child('name')));
    else {
      causes.push(...checks.format(v.name, 'dns1123Label', p.child('name')));
      if (names.has(v.name)) causes.push(fieldError.duplicate(p.child('name'), v.name));
      names.add(v.name);
    }
    const record = v as unknown as Record<string, unknown>;
    const sources = volumeSourceFields.filter((s) => record[s] !== undefined && record[s] !== null);
    if (sources.length === 0) causes.push(fieldError.required(p, 'must specify a volume type'));
    for (const extra of sources.slice(1)) {
      causes.push(fieldError.forbidden(p.child(extra), 'may not specify more than 1 volume type'));
    }
    causes.push(...validateSource(v, p));
  }
  return { names, causes };
}
