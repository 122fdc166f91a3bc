import { builtinResources, type ResourceDefinition } from '@tugboat/core';

import { builtinPatchSchema, type FieldPatchMeta } from '../patch/strategic/patchSchema.js';

/**
 * How server-side apply treats one field, as the `x-kubernetes-list-type`,
 * `x-kubernetes-list-map-keys` and `x-kubernetes-map-type` markers of the OpenAPI schema declare:
 * lists are `atomic` (owned and replaced whole) unless they are a `map` (items keyed by `keys`)
 * or a `set` of primitives; maps and structs are granular unless `atomic`.
 */
export interface ApplyField {
  /** The struct type of the field, or of a list's items. */
  readonly type?: string;
  readonly list: 'atomic' | 'map' | 'set';
  /** The key fields of a `map` list, in upstream's order. */
  readonly keys?: readonly string[];
  /** Values a key field takes when an item omits it (upstream's defaulted keys: `protocol: TCP`). */
  readonly keyDefaults?: Readonly<Record<string, unknown>>;
  /** A map or struct owned and replaced as a whole (upstream's `structType=atomic`). */
  readonly atomic?: boolean;
}

const atomicList: ApplyField = { list: 'atomic' };
const tcp = { protocol: 'TCP' } as const;
const atomicSelector: Readonly<Record<string, ApplyField>> = {
  selector: { list: 'atomic', atomic: true },
};

/**
 * Where upstream's apply schema differs from its strategic-merge metadata: list-map keys with more
 * than one field (the strategic table keys ports by port number alone) and atomic structs.
 */
const overrides: Readonly<Record<string, Readonly<Record<string, ApplyField>>>> = {
  Container: { ports: { list: 'map', keys: ['containerPort', 'protocol'], keyDefaults: tcp } },
  ServiceSpec: { ports: { list: 'map', keys: ['port', 'protocol'], keyDefaults: tcp } },
  PodSpec: {
    topologySpreadConstraints: { list: 'map', keys: ['topologyKey', 'whenUnsatisfiable'] },
  },
  DeploymentSpec: atomicSelector,
  ReplicaSetSpec: atomicSelector,
  DaemonSetSpec: atomicSelector,
  StatefulSetSpec: atomicSelector,
};

/** The apply treatment of `field` in a struct of type `type` (undefined: untyped, as custom resources). */
export function applyFieldOf(type: string | undefined, field: string): ApplyField {
  if (type === undefined) return atomicList;
  const override = overrides[type]?.[field];
  const meta = builtinPatchSchema[type]?.[field];
  if (override !== undefined) return meta?.type !== undefined ? { ...override, type: meta.type } : override;
  if (meta === undefined) return atomicList;
  return fromPatchMeta(meta);
}

/**
 * The root struct type of a resource for apply: the built-in kind's, or `Generic` (typed
 * metadata only) for custom resources, whose lists are atomic and maps granular.
 */
export function applyRootOf(def: ResourceDefinition): string {
  const builtin = builtinResources.some((r) => r.group === def.group && r.plural === def.plural);
  return builtin && def.kind in builtinPatchSchema ? def.kind : 'Generic';
}

function fromPatchMeta(meta: FieldPatchMeta): ApplyField {
  const typed = meta.type !== undefined ? { type: meta.type } : {};
  if (!meta.merge) return { ...typed, list: 'atomic' };
  if (meta.mergeKey === undefined) return { ...typed, list: 'set' };
  return { ...typed, list: 'map', keys: [meta.mergeKey] };
}
