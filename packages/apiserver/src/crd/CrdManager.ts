import {
  defineResource,
  type apiextensionsv1,
  type PrinterColumn,
  type ResourceDefinition,
  type Subresource,
  metaTime,
} from '@tugboat/core';

import type { ResourceRegistry } from '../registry/ResourceRegistry.js';
import { resourceKey } from '../registry/resourceKey.js';
import type { Strategy } from '../registry/Strategy.js';
import { SchemaValidator } from './SchemaValidator.js';
import type { SchemaNode } from './toJsonSchema.js';

type Crd = apiextensionsv1.CustomResourceDefinition;
type Condition = apiextensionsv1.CustomResourceDefinitionCondition;

/** Where a custom kind's scale subresource reads and writes (`.spec.replicas`, …). */
export interface ScalePaths {
  readonly specReplicasPath: string;
  readonly statusReplicasPath: string;
  readonly labelSelectorPath?: string;
}

/**
 * Turns CustomResourceDefinitions into served kinds: computes the CRD's status (accepted names,
 * conditions), registers one {@link ResourceDefinition} per served version in the
 * {@link ResourceRegistry}, and holds the schema-backed strategy of each.
 */
export class CrdManager {
  private readonly strategies = new Map<string, Strategy>();
  private readonly scales = new Map<string, ScalePaths>();
  private readonly owned = new Map<string, ResourceDefinition[]>();

  constructor(private readonly resources: ResourceRegistry) {}

  /** The strategy for a custom kind's version, or undefined for built-ins. */
  strategyFor(def: ResourceDefinition): Strategy | undefined {
    return this.strategies.get(gvr(def));
  }

  /** The scale paths of a custom kind, when its CRD declares a scale subresource. */
  scaleOf(def: ResourceDefinition): ScalePaths | undefined {
    return this.scales.get(gvr(def));
  }

  /** Sets the CRD's status (accepted names, NamesAccepted and Established) from its spec. */
  computeStatus(crd: Crd, old?: Crd): void {
    const names = acceptedNames(crd);
    const conflict = this.conflict(crd);
    const prev = old?.status?.conditions ?? crd.status?.conditions ?? [];
    const condition = (type: string, ok: boolean, reason: string, message: string): Condition => {
      const status = ok ? 'True' : 'False';
      const before = prev.find((c) => c.type === type);
      const lastTransitionTime =
        before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : metaTime();
      return { type, status, reason, message, lastTransitionTime };
    };
    const storage = crd.spec.versions.find((v) => v.storage)?.name;
    const stored = new Set([...(old?.status?.storedVersions ?? []), ...(storage ? [storage] : [])]);
    crd.status = {
      ...(crd.status ?? {}),
      acceptedNames: conflict ? (old?.status?.acceptedNames ?? { plural: '', kind: '' }) : names,
      storedVersions: [...stored],
      conditions: [
        conflict
          ? condition('NamesAccepted', false, 'NameConflict', conflict)
          : condition('NamesAccepted', true, 'NoConflicts', 'no conflicts found'),
        conflict
          ? condition('Established', false, 'NotAccepted', 'not all names are accepted')
          : condition('Established', true, 'InitialNamesAccepted', 'the initial names have been accepted'),
      ],
    };
  }

  /** Serves the CRD's versions (replacing what an earlier version of it served). */
  register(crd: Crd): void {
    const name = crd.metadata?.name ?? '';
    const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    if (!established) return;
    const next = definitionsOf(crd);
    for (const def of this.owned.get(name) ?? []) {
      if (!next.some((d) => gvr(d) === gvr(def))) this.forget(def);
    }
    for (const def of next) {
      const version = crd.spec.versions.find((v) => v.name === def.version);
      const schema = version?.schema?.openAPIV3Schema as SchemaNode | undefined;
      if (schema !== undefined) this.strategies.set(gvr(def), schemaStrategy(new SchemaValidator(schema)));
      const scale = version?.subresources?.scale;
      if (scale) this.scales.set(gvr(def), scale);
      else this.scales.delete(gvr(def));
      this.resources.add(def);
    }
    this.owned.set(name, next);
  }

  /** The names of the CRDs whose kinds are served. */
  registeredNames(): string[] {
    return [...this.owned.keys()];
  }

  /** Stops serving the CRD's kind; returns the definitions it served. */
  unregister(crd: Crd): ResourceDefinition[] {
    const name = crd.metadata?.name ?? '';
    const defs = this.owned.get(name) ?? [];
    for (const def of defs) this.forget(def);
    this.owned.delete(name);
    return defs;
  }

  private forget(def: ResourceDefinition): void {
    this.strategies.delete(gvr(def));
    this.scales.delete(gvr(def));
    this.resources.remove(def.group, def.version, def.plural);
  }

  private conflict(crd: Crd): string | undefined {
    const mine = new Set(this.owned.get(crd.metadata?.name ?? '')?.map(resourceKey) ?? []);
    const names = acceptedNames(crd);
    for (const def of this.resources.all()) {
      if (def.group !== crd.spec.group) continue;
      if (mine.has(resourceKey(def))) continue;
      if (def.plural === names.plural) return `"${names.plural}" is already in use`;
      if (def.kind === names.kind) return `"${names.kind}" is already in use`;
    }
    return undefined;
  }
}

function acceptedNames(crd: Crd): apiextensionsv1.CustomResourceDefinitionNames {
  const n = crd.spec.names;
  return {
    plural: n.plural,
    singular: n.singular || n.kind.toLowerCase(),
    kind: n.kind,
    listKind: n.listKind || `${n.kind}List`,
    ...(n.shortNames ? { shortNames: n.shortNames } : {}),
    ...(n.categories ? { categories: n.categories } : {}),
  };
}

function definitionsOf(crd: Crd): ResourceDefinition[] {
  const names = acceptedNames(crd);
  return crd.spec.versions
    .filter((v) => v.served)
    .map((v) => {
      const subresources: Subresource[] = [];
      if (v.subresources?.status) subresources.push('status');
      if (v.subresources?.scale) subresources.push('scale');
      return defineResource({
        group: crd.spec.group,
        version: v.name,
        kind: names.kind,
        listKind: names.listKind ?? `${names.kind}List`,
        plural: names.plural,
        singular: names.singular ?? names.kind.toLowerCase(),
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        namespaced: crd.spec.scope === 'Namespaced',
        subresources,
        printerColumns: (v.additionalPrinterColumns ?? []).map((c): PrinterColumn => ({
          name: c.name,
          type: c.type as PrinterColumn['type'],
          jsonPath: c.jsonPath,
          ...(c.description !== undefined ? { description: c.description } : {}),
          ...(c.format !== undefined ? { format: c.format } : {}),
          ...(c.priority !== undefined ? { priority: c.priority } : {}),
        })),
        selectableFields: (v.selectableFields ?? []).map((f) => f.jsonPath.replace(/^\./, '')),
      });
    });
}

function schemaStrategy(validator: SchemaValidator): Strategy {
  return {
    applyDefaults: (obj) => {
      validator.applyDefaults(obj);
    },
    unknownFields: (obj) => validator.prune(obj),
    validate: (obj) => validator.validate(obj),
    validateUpdate: (obj) => validator.validate(obj),
  };
}

function gvr(def: { readonly group: string; readonly version: string; readonly plural: string }): string {
  return `${def.group}/${def.version}/${def.plural}`;
}
