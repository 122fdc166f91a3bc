/**
 * Record ids by label pair, so a list filtered by labels (the kubelet lists a pod's sandboxes and
 * containers by its uid label on every sync) looks at the records carrying one of the selector's
 * pairs instead of every record on the node.
 */
export class LabelIndex {
  private readonly ids = new Map<string, Set<string>>();

  add(id: string, labels: Readonly<Record<string, string>>): void {
    for (const k in labels) {
      const pair = pairKey(k, labels[k] ?? '');
      let set = this.ids.get(pair);
      if (set === undefined) this.ids.set(pair, (set = new Set()));
      set.add(id);
    }
  }

  remove(id: string, labels: Readonly<Record<string, string>>): void {
    for (const k in labels) {
      const pair = pairKey(k, labels[k] ?? '');
      const set = this.ids.get(pair);
      set?.delete(id);
      if (set?.size === 0) this.ids.delete(pair);
    }
  }

  /** The ids that may match `selector` (a superset), or undefined when it selects by nothing. */
  candidates(selector: Readonly<Record<string, string>> | undefined): ReadonlySet<string> | undefined {
    for (const k in selector) return this.ids.get(pairKey(k, selector[k] ?? '')) ?? new Set();
    return undefined;
  }
}

const pairKey = (k: string, v: string): string => `${k}\u0000${v}`;
