import type { PodInfo, Selector } from '@tugboat/core';

import { affinityOf, pairKey, type CompiledTerm } from '../internal/affinityTerms.js';

/** The placed pods' required anti-affinity terms with one signature, and their counts per topology pair. */
export interface AntiAffinityGroup {
  readonly term: CompiledTerm;
  readonly pairs: Map<string, number>;
}

type Labels = Readonly<Record<string, string>>;

/**
 * Indexes over the pods the scheduler's cache counts, kept up to date as pods come and go so
 * PodTopologySpread and InterPodAffinity read only the pods a selector can match instead of
 * scanning every pod each cycle (upstream scans them all, in parallel): pods by
 * `label=value` (per namespace and across namespaces), placed pods' required anti-affinity
 * grouped by identical term with counts per topology pair, and the pods whose affinity weighs in
 * scoring.
 */
export class PodIndex {
  private readonly byNsLabel = new Map<string, Set<PodInfo>>();
  private readonly byLabel = new Map<string, Set<PodInfo>>();
  /** Every indexed pod, for selectors the label index cannot narrow. */
  readonly all = new Set<PodInfo>();
  readonly antiGroups = new Map<string, AntiAffinityGroup>();
  /** Pods with required affinity or preferred (anti-)affinity: what InterPodAffinity's score reads. */
  readonly scoringAffinity = new Set<PodInfo>();

  /** Counts `info`, placed on a node with `nodeLabels`. */
  add(info: PodInfo, nodeLabels: Labels | undefined): void {
    this.all.add(info);
    const m = info.pod.metadata;
    const ns = m?.namespace ?? 'default';
    const labels = m?.labels ?? {};
    for (const k of Object.keys(labels)) {
      addTo(this.byNsLabel, `${ns}\u0000${k}\u0000${labels[k] ?? ''}`, info);
      addTo(this.byLabel, `${k}\u0000${labels[k] ?? ''}`, info);
    }
    if (!info.hasAffinity) return;
    const terms = affinityOf(info.pod);
    if (terms.affinity.length + terms.preferredAffinity.length + terms.preferredAntiAffinity.length > 0)
      this.scoringAffinity.add(info);
    this.accountAnti(info, nodeLabels, 1);
  }

  /** Undoes {@link add}; `nodeLabels` must be the labels the pod was added with. */
  remove(info: PodInfo, nodeLabels: Labels | undefined): void {
    if (!this.all.delete(info)) return;
    const m = info.pod.metadata;
    const ns = m?.namespace ?? 'default';
    const labels = m?.labels ?? {};
    for (const k of Object.keys(labels)) {
      removeFrom(this.byNsLabel, `${ns}\u0000${k}\u0000${labels[k] ?? ''}`, info);
      removeFrom(this.byLabel, `${k}\u0000${labels[k] ?? ''}`, info);
    }
    if (!info.hasAffinity) return;
    this.scoringAffinity.delete(info);
    this.accountAnti(info, nodeLabels, -1);
  }

  /**
   * The indexed pods `selector` may match in `namespaces` (every namespace when undefined): a
   * superset to check with the selector, or undefined when no `=`/`in` requirement narrows it.
   */
  candidates(namespaces: ReadonlySet<string> | undefined, selector: Selector): Iterable<PodInfo> | undefined {
    let best: Set<PodInfo>[] | undefined;
    let bestSize = Infinity;
    for (const r of selector.requirements) {
      if (r.operator !== '=' && r.operator !== 'in') continue;
      const sets: Set<PodInfo>[] = [];
      let size = 0;
      for (const v of r.values) {
        if (namespaces === undefined) size += push(sets, this.byLabel.get(`${r.key}\u0000${v}`));
        else
          for (const ns of namespaces)
            size += push(sets, this.byNsLabel.get(`${ns}\u0000${r.key}\u0000${v}`));
      }
      if (size < bestSize) {
        best = sets;
        bestSize = size;
      }
    }
    if (best === undefined) return undefined;
    // One value per key and one namespace per pod: the sets are disjoint.
    return best.length === 1 ? (best[0] as Set<PodInfo>) : best.flatMap((x) => [...x]);
  }

  private accountAnti(info: PodInfo, nodeLabels: Labels | undefined, sign: 1 | -1): void {
    if (!info.hasRequiredAntiAffinity || nodeLabels === undefined) return;
    for (const t of affinityOf(info.pod).antiAffinity) {
      const v = nodeLabels[t.topologyKey];
      if (v === undefined) continue;
      const sig = termSignature(t);
      let g = this.antiGroups.get(sig);
      if (g === undefined) {
        if (sign < 0) continue;
        g = { term: t, pairs: new Map() };
        this.antiGroups.set(sig, g);
      }
      const k = pairKey(t.topologyKey, v);
      const n = (g.pairs.get(k) ?? 0) + sign;
      if (n > 0) g.pairs.set(k, n);
      else g.pairs.delete(k);
      if (g.pairs.size === 0) this.antiGroups.delete(sig);
    }
  }
}

/** The cache's pod index behind a snapshot, when the snapshot is the scheduler's cache. */
export function podIndexOf(snapshot: object): PodIndex | undefined {
  const index = (snapshot as { podIndex?: unknown }).podIndex;
  return index instanceof PodIndex ? index : undefined;
}

const signatures = new WeakMap<CompiledTerm, string>();

/** What makes two terms the same: namespaces, topology key and selector. */
function termSignature(t: CompiledTerm): string {
  let sig = signatures.get(t);
  if (sig === undefined) {
    const ns = t.namespaces === undefined ? '*' : [...t.namespaces].sort().join(',');
    sig = `${ns}\u0000${t.topologyKey}\u0000${t.selector.toString()}`;
    signatures.set(t, sig);
  }
  return sig;
}

function push(into: Set<PodInfo>[], set: Set<PodInfo> | undefined): number {
  if (set === undefined) return 0;
  into.push(set);
  return set.size;
}

function addTo(map: Map<string, Set<PodInfo>>, key: string, info: PodInfo): void {
  let s = map.get(key);
  if (s === undefined) {
    s = new Set();
    map.set(key, s);
  }
  s.add(info);
}

function removeFrom(map: Map<string, Set<PodInfo>>, key: string, info: PodInfo): void {
  const s = map.get(key);
  if (s === undefined) return;
  s.delete(info);
  if (s.size === 0) map.delete(key);
}
