import type { FieldChanges } from './compareObjects.js';
import { isManager, type Ownership } from './ManagedFields.js';

/** Who made a non-apply write, for the managed fields. */
export interface Updater {
  readonly manager: string;
  readonly apiVersion: string;
  readonly subresource?: string;
  /** The time stamp of the write (RFC 3339). */
  readonly time: string;
}

/**
 * The ownership after an update (create, replace, patch) as upstream records it: the updater owns
 * every field it added or changed, taking it from any other manager without conflict; removed
 * fields leave every manager. Entries whose fields do not change keep their time stamp.
 */
export function recordUpdate(owners: readonly Ownership[], changes: FieldChanges, by: Updater): Ownership[] {
  const out: Ownership[] = [];
  let found = false;
  for (const o of owners) {
    const mine = isManager(o, by.manager, 'Update', by.subresource);
    found ||= mine;
    let fields = o.fields.difference(changes.removed);
    fields = mine ? fields.union(changes.changed) : fields.difference(changes.changed);
    if (fields.equals(o.fields)) out.push(o);
    else if (mine) out.push({ ...o, apiVersion: by.apiVersion, time: by.time, fields });
    else out.push({ ...o, fields });
  }
  if (!found && !changes.changed.isEmpty()) {
    out.push({
      manager: by.manager,
      operation: 'Update',
      apiVersion: by.apiVersion,
      time: by.time,
      ...(by.subresource !== undefined ? { subresource: by.subresource } : {}),
      fields: changes.changed,
    });
  }
  return out;
}
