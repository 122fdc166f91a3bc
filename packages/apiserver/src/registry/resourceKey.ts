/**
 * The key of a resource in strategy maps and storage-independent lookups: `plural` for the core
 * group, `plural.group` otherwise (`pods`, `deployments.apps`, `events.events.k8s.io`).
 */
export function resourceKey(def: { readonly group: string; readonly plural: string }): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}
