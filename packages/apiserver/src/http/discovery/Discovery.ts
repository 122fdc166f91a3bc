import { apiVersionOf, type ResourceDefinition } from '@tugboat/core';

import type { ResourceRegistry } from '../../registry/ResourceRegistry.js';
import { subresourceInfo } from './subresourceInfo.js';

/** The media type of aggregated discovery (apidiscovery.k8s.io/v2) responses. */
export const aggregatedDiscoveryType = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/**
 * The discovery documents of the server, computed from the {@link ResourceRegistry} on every
 * request so CRDs appear and vanish at once: legacy `/api`, `/apis`, per group-version resource
 * lists (subresources as their own `pods/status` entries), and the aggregated v2 form.
 */
export class Discovery {
  constructor(private readonly resources: ResourceRegistry) {}

  /** `GET /api`: the core group's versions. */
  apiVersions(serverAddress: string): unknown {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  /** `GET /apis`: every named group with its versions. */
  apiGroupList(): unknown {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groups().map((g) => this.apiGroup(g)) };
  }

  /** `GET /apis/<group>`: one group, or undefined when not served. */
  apiGroup(group: string): unknown {
    const versions = this.versionsOf(group);
    if (versions.length === 0) return undefined;
    const list = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
    return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: list, preferredVersion: list[0] };
  }

  /** `GET /api/v1`, `GET /apis/<g>/<v>`: the resources of one group-version, or undefined. */
  apiResourceList(group: string, version: string): unknown {
    const defs = this.defsOf(group, version);
    if (defs.length === 0) return undefined;
    const resources: unknown[] = [];
    for (const def of defs) {
      resources.push({
        name: def.plural,
        singularName: def.singular,
        namespaced: def.namespaced,
        kind: def.kind,
        verbs: [...def.verbs],
        ...(def.shortNames.length > 0 ? { shortNames: [...def.shortNames] } : {}),
        ...(def.categories.length > 0 ? { categories: [...def.categories] } : {}),
      });
      for (const sub of def.subresources) {
        const info = subresourceInfo(def, sub);
        resources.push({
          name: `${def.plural}/${sub}`,
          singularName: '',
          namespaced: def.namespaced,
          ...(info.group !== undefined ? { group: info.group, version: info.version } : {}),
          kind: info.kind,
          verbs: [...info.verbs],
        });
      }
    }
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: apiVersionOf({ group, version }),
      resources,
    };
  }

  /** Aggregated discovery for `/api` (core) or `/apis` (named groups). */
  aggregated(core: boolean): unknown {
    const groups = core ? [''] : this.groups();
    const items = groups.map((group) => ({
      metadata: { name: group },
      versions: this.versionsOf(group).map((version) => ({
        version,
        freshness: 'Current',
        resources: this.defsOf(group, version).map((def) => aggregatedResource(def)),
      })),
    }));
    return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
  }

  private groups(): string[] {
    const seen = new Set<string>();
    for (const def of this.resources.all()) if (def.group !== '') seen.add(def.group);
    return [...seen].sort();
  }

  private versionsOf(group: string): string[] {
    const seen = new Set<string>();
    for (const def of this.resources.all()) if (def.group === group) seen.add(def.version);
    return [...seen].sort(compareVersions);
  }

  private defsOf(group: string, version: string): ResourceDefinition[] {
    return this.resources
      .all()
      .filter((d) => d.group === group && d.version === version)
      .sort((a, b) => a.plural.localeCompare(b.plural));
  }
}

function aggregatedResource(def: ResourceDefinition): unknown {
  return {
    resource: def.plural,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: [...def.verbs],
    ...(def.shortNames.length > 0 ? { shortNames: [...def.shortNames] } : {}),
    ...(def.categories.length > 0 ? { categories: [...def.categories] } : {}),
    subresources: def.subresources.map((sub) => {
      const info = subresourceInfo(def, sub);
      return {
        subresource: sub,
        responseKind: {
          group: info.group ?? def.group,
          version: info.version ?? def.version,
          kind: info.kind,
        },
        verbs: [...info.verbs],
      };
    }),
  };
}

/** Kubernetes version priority: GA before beta before alpha, higher numbers first (v2 > v1 > v1beta2). */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  const [x, y] = [rank(a), rank(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || a.localeCompare(b);
}
