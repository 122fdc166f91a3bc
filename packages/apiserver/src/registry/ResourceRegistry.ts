import { ApiError, builtinResources, type ResourceDefinition, type ResourceRef } from '@tugboat/core';
import { Subject, type Observable } from 'rxjs';

import { resourceKey } from './resourceKey.js';

/** One change to the set of served resources, for discovery to refresh. */
export interface ResourceRegistryChange {
  readonly type: 'added' | 'removed';
  readonly definition: ResourceDefinition;
}

/**
 * The table of every resource the API server serves: the built-ins and the kinds that
 * CustomResourceDefinitions add at run time. Looked up by (group, version, plural), by kind and by
 * short name; {@link changes} tells discovery when the table moves.
 */
export class ResourceRegistry {
  private readonly byGvr = new Map<string, ResourceDefinition>();
  private readonly subject = new Subject<ResourceRegistryChange>();

  /** Emits every definition added or removed after subscription. */
  readonly changes: Observable<ResourceRegistryChange> = this.subject.asObservable();

  constructor(definitions: readonly ResourceDefinition[] = builtinResources) {
    for (const def of definitions) this.byGvr.set(gvrKey(def.group, def.version, def.plural), def);
  }

  /** Adds or replaces a definition. */
  add(def: ResourceDefinition): void {
    const key = gvrKey(def.group, def.version, def.plural);
    const existing = this.byGvr.get(key);
    if (existing !== undefined && JSON.stringify(existing) === JSON.stringify(def)) return;
    if (existing !== undefined) this.subject.next({ type: 'removed', definition: existing });
    this.byGvr.set(key, def);
    this.subject.next({ type: 'added', definition: def });
  }

  /** Removes one served version of a resource; returns whether it was present. */
  remove(group: string, version: string, plural: string): boolean {
    const key = gvrKey(group, version, plural);
    const existing = this.byGvr.get(key);
    if (existing === undefined) return false;
    this.byGvr.delete(key);
    this.subject.next({ type: 'removed', definition: existing });
    return true;
  }

  /** The definition served at (group, version, plural), if any. */
  lookup(group: string, version: string, plural: string): ResourceDefinition | undefined {
    return this.byGvr.get(gvrKey(group, version, plural));
  }

  /** The definition a client reference names; `NotFound` when it is not served. */
  resolve(ref: Pick<ResourceRef, 'group' | 'version' | 'plural'>): ResourceDefinition {
    const def = this.lookup(ref.group, ref.version, ref.plural);
    if (def === undefined) throw notServed(ref);
    return def;
  }

  /** Every served version of `kind` in `group`, the given version first when present. */
  byKind(group: string, kind: string, version?: string): ResourceDefinition[] {
    const found = this.all().filter((d) => d.group === group && d.kind === kind);
    return found.sort((a, b) => Number(b.version === version) - Number(a.version === version));
  }

  /** Every definition with `name` as a short name, plural, singular or lowercase kind. */
  byName(name: string): ResourceDefinition[] {
    const lower = name.toLowerCase();
    return this.all().filter(
      (d) =>
        d.plural === lower ||
        d.singular === lower ||
        d.shortNames.includes(lower) ||
        d.kind.toLowerCase() === lower,
    );
  }

  /** Every definition with `shortName` among its short names. */
  byShortName(shortName: string): ResourceDefinition[] {
    return this.all().filter((d) => d.shortNames.includes(shortName));
  }

  /** Every served resource version. */
  all(): ResourceDefinition[] {
    return [...this.byGvr.values()];
  }

  /** Every served version of the resource (`plural.group`) that `def` belongs to. */
  versionsOf(def: { readonly group: string; readonly plural: string }): ResourceDefinition[] {
    const key = resourceKey(def);
    return this.all().filter((d) => resourceKey(d) === key);
  }
}

function gvrKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}

function notServed(ref: Pick<ResourceRef, 'group' | 'version' | 'plural'>): ApiError {
  const gv = ref.group ? `${ref.group}/${ref.version}` : ref.version;
  return new ApiError('NotFound', `the server could not find the requested resource (${gv} ${ref.plural})`, {
    group: ref.group,
    kind: ref.plural,
  });
}
