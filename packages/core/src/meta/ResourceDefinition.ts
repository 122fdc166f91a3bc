import type { KubeObject } from './KubeObject.js';

/** API group, version and kind, e.g. `apps/v1 Deployment` (group `''` is the core group). */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** API group, version and resource (plural), e.g. `apps/v1 deployments`. */
export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

/** A column of `kubectl get` output, as in a CRD's `additionalPrinterColumns`. */
export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly description?: string;
  readonly format?: string;
  /** 0 shows by default; higher only with `-o wide`. */
  readonly priority?: number;
}

/** Subresources a resource may serve. */
export type Subresource =
  | 'status'
  | 'scale'
  | 'binding'
  | 'log'
  | 'exec'
  | 'attach'
  | 'portforward'
  | 'eviction'
  | 'token'
  | 'proxy'
  | 'finalize'
  /** certificates.k8s.io CSRs: the only way to set their Approved and Denied conditions. */
  | 'approval';

/**
 * Everything the API machinery knows about one resource: its names (what discovery serves and
 * kubectl resolves), scope, subresources, printer columns and the fields it can be selected by.
 * The type parameter is the object type, so clients are typed by the definition they pass.
 */
export interface ResourceDefinition<T extends KubeObject = KubeObject> {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  /** Plural resource name used in URLs (`deployments`). */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  readonly subresources: readonly Subresource[];
  readonly printerColumns: readonly PrinterColumn[];
  /** Field paths usable in field selectors besides `metadata.name` and `metadata.namespace`. */
  readonly selectableFields: readonly string[];
  /** Verbs served on the collection and items. */
  readonly verbs: readonly string[];
  /** Phantom: carries the object type. Never set. */
  readonly __object?: T;
}

/** The `apiVersion` string of a definition (`v1`, `apps/v1`). */
export function apiVersionOf(def: { readonly group: string; readonly version: string }): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** Parses `apps/v1` or `v1` into group and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

const defaultVerbs = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
] as const;

/** Builds a {@link ResourceDefinition}, filling the conventional defaults. */
export function defineResource<T extends KubeObject>(
  def: Pick<ResourceDefinition<T>, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'> &
    Partial<Omit<ResourceDefinition<T>, '__object'>>,
): ResourceDefinition<T> {
  return {
    listKind: `${def.kind}List`,
    singular: def.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    subresources: [],
    printerColumns: [],
    selectableFields: [],
    verbs: defaultVerbs,
    ...def,
  };
}
