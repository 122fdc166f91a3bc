import { ApiError, type StatusCause } from '@tugboat/core';

import { formatPath, type FieldSet } from './FieldSet.js';
import type { Ownership } from './ManagedFields.js';

/** The fields of an apply that another manager owns with another value. */
export interface ApplyConflict {
  readonly owner: Ownership;
  readonly fields: FieldSet;
}

/**
 * The 409 Conflict Status of an apply with conflicts, as upstream words it: one cause
 * (`FieldManagerConflict`) per field naming its manager, and a message listing them
 * (`Apply failed with 1 conflict: conflict with "m" using apps/v1: .spec.replicas`).
 */
export function applyConflict(conflicts: readonly ApplyConflict[]): ApiError {
  const causes: StatusCause[] = [];
  const groups: { who: string; paths: string[] }[] = [];
  for (const { owner, fields } of conflicts) {
    const who = describe(owner);
    const paths = fields.paths().map(formatPath);
    groups.push({ who, paths });
    for (const field of paths)
      causes.push({ reason: 'FieldManagerConflict', message: `conflict with ${who}`, field });
  }
  const n = causes.length;
  const head = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: `;
  const body =
    n === 1
      ? `conflict with ${groups[0]?.who ?? ''}: ${causes[0]?.field ?? ''}`
      : groups
          .map(
            (g) =>
              `conflict${g.paths.length === 1 ? '' : 's'} with ${g.who}:\n${g.paths.map((p) => `- ${p}`).join('\n')}`,
          )
          .join('\n');
  return new ApiError('Conflict', head + body, { causes });
}

function describe(o: Ownership): string {
  let who = JSON.stringify(o.manager);
  if (o.operation === 'Update' && o.apiVersion !== undefined) who += ` using ${o.apiVersion}`;
  if (o.subresource !== undefined) who += ` with subresource ${JSON.stringify(o.subresource)}`;
  return who;
}
