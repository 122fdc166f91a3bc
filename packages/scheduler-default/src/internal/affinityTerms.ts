import { selectorFromLabelSelector, type corev1, type Selector } from '@tugboat/core';

/** A pod (anti-)affinity term compiled once: its selector, namespaces and topology key. */
export interface CompiledTerm {
  readonly selector: Selector;
  /** Namespaces the term looks at; `undefined` means every namespace. */
  readonly namespaces: ReadonlySet<string> | undefined;
  readonly topologyKey: string;
  readonly weight: number;
}

/** A pod's compiled required and preferred affinity and anti-affinity terms. */
export interface CompiledAffinity {
  readonly affinity: readonly CompiledTerm[];
  readonly antiAffinity: readonly CompiledTerm[];
  readonly preferredAffinity: readonly CompiledTerm[];
  readonly preferredAntiAffinity: readonly CompiledTerm[];
}

const cache = new WeakMap<corev1.Pod, CompiledAffinity>();

function compile(pod: corev1.Pod, term: corev1.PodAffinityTerm, weight: number): CompiledTerm {
  const own = pod.metadata?.namespace ?? 'default';
  let namespaces: Set<string> | undefined = new Set(term.namespaces ?? []);
  const nsSel = term.namespaceSelector;
  // An empty namespaceSelector selects every namespace; a non-empty one would need namespace
  // labels, which the scheduler does not watch yet, so it adds nothing.
  if (
    nsSel !== undefined &&
    Object.keys(nsSel.matchLabels ?? {}).length === 0 &&
    (nsSel.matchExpressions ?? []).length === 0
  ) {
    namespaces = undefined;
  } else if (namespaces.size === 0 && nsSel === undefined) {
    namespaces.add(own);
  }
  return {
    selector: selectorFromLabelSelector(term.labelSelector),
    namespaces,
    topologyKey: term.topologyKey,
    weight,
  };
}

/** The compiled terms of a pod, memoised per pod object. Throws `Invalid` on a malformed selector. */
export function affinityOf(pod: corev1.Pod): CompiledAffinity {
  let c = cache.get(pod);
  if (c === undefined) {
    const a = pod.spec?.affinity;
    c = {
      affinity: (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
        compile(pod, t, 1),
      ),
      antiAffinity: (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
        compile(pod, t, 1),
      ),
      preferredAffinity: (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
        compile(pod, t.podAffinityTerm, t.weight),
      ),
      preferredAntiAffinity: (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(
        (t) => compile(pod, t.podAffinityTerm, t.weight),
      ),
    };
    cache.set(pod, c);
  }
  return c;
}

/** Whether `pod` is selected by `term` (namespace and labels). */
export function termMatches(term: CompiledTerm, pod: corev1.Pod): boolean {
  if (term.namespaces !== undefined && !term.namespaces.has(pod.metadata?.namespace ?? 'default'))
    return false;
  return term.selector.matches(pod.metadata?.labels);
}

/** Whether `pod` is selected by every term. */
export function matchesAll(terms: readonly CompiledTerm[], pod: corev1.Pod): boolean {
  for (const t of terms) if (!termMatches(t, pod)) return false;
  return true;
}

/** The key of a topology pair in count maps. */
export function pairKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}
