import type { KubeObject } from '@tugboat/core';

import { applyConflict, type ApplyConflict } from './applyConflict.js';
import { compareObjects } from './compareObjects.js';
import { FieldSet } from './FieldSet.js';
import { fieldsOf, isMap } from './fieldsOf.js';
import {
  decodeStoredManagedFields,
  encodeManagedFields,
  isManager,
  type Ownership,
} from './ManagedFields.js';
import { mergeApplied } from './mergeApplied.js';
import { removeFields } from './removeFields.js';

/** The annotation client-side `kubectl apply` keeps its last configuration in. */
export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** The manager client-side `kubectl apply` writes as. */
const clientSideApplyManager = 'kubectl-client-side-apply';

/** One server-side apply: who applies, how, and to what. */
export interface ApplyOptions {
  readonly manager: string;
  /** Take ownership of conflicting fields instead of failing. */
  readonly force: boolean;
  /** The API version the configuration is written in (`apps/v1`). */
  readonly apiVersion: string;
  /** The root struct type of the kind in the apply schema (see `applyRootOf`). */
  readonly rootType: string;
  /** `status` to apply to the status subresource. */
  readonly subresource?: string;
  /** The time stamp of the apply (RFC 3339). */
  readonly time: string;
}

/**
 * Applies a configuration to a live object (or to nothing, to create it) with server-side apply
 * semantics and returns the new object with its `managedFields`: the manager's fields take the
 * applied values; fields it applied before and no longer does are removed unless another manager
 * owns them; a field another manager owns with a different value is a conflict — a 409 naming
 * every field and manager — unless `force`, which takes it over. Neither input is changed.
 */
export function applyConfiguration(
  live: KubeObject | undefined,
  config: Record<string, unknown>,
  options: ApplyOptions,
): KubeObject {
  const { manager, rootType, subresource } = options;
  const base: Record<string, unknown> = (live as Record<string, unknown> | undefined) ?? {
    apiVersion: config['apiVersion'],
    kind: config['kind'],
    metadata: {},
  };
  const owners = decodeStoredManagedFields(live?.metadata?.managedFields);
  const applied = fieldsOf(config, rootType, true);
  // A private copy: removing stale fields below edits the merged object in place.
  const merged = mergeApplied(structuredClone(base), config, rootType) as Record<string, unknown>;
  const { changed } = compareObjects(base, merged, rootType);

  const mine = owners.find((o) => isManager(o, manager, 'Apply', subresource));
  const others = owners.filter((o) => o !== mine);
  const conflicts: ApplyConflict[] = [];
  for (const owner of others) {
    const fields = changed.intersection(owner.fields);
    if (!fields.isEmpty()) conflicts.push({ owner, fields });
  }
  const unforgiven = forgiveClientSideApply(conflicts, live, manager, rootType);
  if (unforgiven.length > 0 && !options.force) throw applyConflict(unforgiven);

  const kept = others.map((o) => {
    const taken = conflicts.find((c) => c.owner === o);
    return taken === undefined ? o : { ...o, fields: o.fields.difference(taken.fields) };
  });
  const stale = (mine?.fields ?? FieldSet.empty).difference(applied);
  const keep = kept.reduce((set, o) => set.union(o.fields), applied);
  removeFields(merged, stale, keep, rootType);

  const unchanged = mine !== undefined && changed.isEmpty() && mine.fields.equals(applied);
  const entry: Ownership = {
    manager,
    operation: 'Apply',
    apiVersion: options.apiVersion,
    ...(unchanged ? (mine.time !== undefined ? { time: mine.time } : {}) : { time: options.time }),
    ...(subresource !== undefined ? { subresource } : {}),
    fields: applied,
  };
  const meta = { ...(isMap(merged['metadata']) ? merged['metadata'] : {}) };
  meta['managedFields'] = encodeManagedFields(
    mine === undefined ? [...kept, entry] : replace(kept, owners, mine, entry),
  );
  syncLastApplied(meta, config, manager);
  merged['metadata'] = meta;
  return merged;
}

/** Keeps the manager's entry where it was, so an unchanged apply leaves managedFields as they were. */
function replace(
  kept: readonly Ownership[],
  owners: readonly Ownership[],
  mine: Ownership,
  entry: Ownership,
): Ownership[] {
  const out = [...kept];
  out.splice(owners.indexOf(mine), 0, entry);
  return out;
}

/**
 * The conflicts left once those with client-side `kubectl apply` over fields of its last-applied
 * configuration are dropped: as upstream, `kubectl apply --server-side` takes over an object
 * client-side apply made without conflicts on the fields that apply set (kubectl then migrates
 * the ownership itself). Only for the `kubectl` manager.
 */
function forgiveClientSideApply(
  conflicts: readonly ApplyConflict[],
  live: KubeObject | undefined,
  manager: string,
  rootType: string,
): ApplyConflict[] {
  const annotation = live?.metadata?.annotations?.[lastAppliedAnnotation];
  if (manager !== 'kubectl' || annotation === undefined) return [...conflicts];
  let lastApplied: FieldSet;
  try {
    lastApplied = fieldsOf(JSON.parse(annotation) as unknown, rootType);
  } catch {
    return [...conflicts];
  }
  return conflicts
    .map((c) =>
      c.owner.manager === clientSideApplyManager ? { ...c, fields: c.fields.difference(lastApplied) } : c,
    )
    .filter((c) => !c.fields.isEmpty());
}

/**
 * Keeps client-side apply's annotation in step when `kubectl` applies server-side over an object
 * that has it, as upstream does, so switching back to client-side apply sees the same config.
 */
function syncLastApplied(
  meta: Record<string, unknown>,
  config: Record<string, unknown>,
  manager: string,
): void {
  const annotations = meta['annotations'];
  if (manager !== 'kubectl' || !isMap(annotations) || !(lastAppliedAnnotation in annotations)) return;
  meta['annotations'] = { ...annotations, [lastAppliedAnnotation]: JSON.stringify(config) };
}
