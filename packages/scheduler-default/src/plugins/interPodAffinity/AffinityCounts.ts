import type { corev1, NodeInfo, PodInfo } from '@tugboat/core';

import {
  affinityOf,
  matchesAll,
  pairKey,
  termMatches,
  type CompiledAffinity,
} from '../../internal/affinityTerms.js';

/**
 * InterPodAffinity's PreFilter state: counts per topology pair of (1) placed pods whose required
 * anti-affinity selects the incoming pod, (2) placed pods matching all of the incoming pod's
 * affinity terms, (3) placed pods matching its anti-affinity terms.
 */
export class AffinityCounts {
  existingAnti = new Map<string, number>();
  /** The topology keys that occur in {@link existingAnti} (a superset): Filter looks up only these. */
  existingAntiKeys = new Set<string>();
  affinity = new Map<string, number>();
  anti = new Map<string, number>();

  constructor(readonly terms: CompiledAffinity) {}

  addExistingAnti(incoming: corev1.Pod, existing: PodInfo, node: NodeInfo, sign: number): void {
    if (!existing.hasRequiredAntiAffinity) return;
    const labels = node.node.metadata?.labels;
    if (labels === undefined) return;
    for (const t of affinityOf(existing.pod).antiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && termMatches(t, incoming)) {
        bump(this.existingAnti, pairKey(t.topologyKey, v), sign);
        this.existingAntiKeys.add(t.topologyKey);
      }
    }
  }

  addIncoming(existing: PodInfo, node: NodeInfo, sign: number): void {
    const labels = node.node.metadata?.labels;
    if (labels === undefined) return;
    const terms = this.terms;
    if (terms.affinity.length > 0 && matchesAll(terms.affinity, existing.pod)) {
      for (const t of terms.affinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined) bump(this.affinity, pairKey(t.topologyKey, v), sign);
      }
    }
    for (const t of terms.antiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && termMatches(t, existing.pod)) bump(this.anti, pairKey(t.topologyKey, v), sign);
    }
  }

  clone(): AffinityCounts {
    const c = new AffinityCounts(this.terms);
    c.existingAnti = new Map(this.existingAnti);
    c.existingAntiKeys = new Set(this.existingAntiKeys);
    c.affinity = new Map(this.affinity);
    c.anti = new Map(this.anti);
    return c;
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const v = (map.get(key) ?? 0) + by;
  if (v === 0) map.delete(key);
  else map.set(key, v);
}
