import type { CycleState } from '@tugboat/core';

/** The {@link CycleState} of one scheduling attempt: a small map plus the plugins that skipped. */
export class CycleStateImpl implements CycleState {
  private readonly data = new Map<string, unknown>();
  /** Filter plugins whose PreFilter returned `Skip` for this pod. */
  readonly skipFilter = new Set<string>();
  /** Score plugins whose PreScore returned `Skip` for this pod. */
  readonly skipScore = new Set<string>();
  /** The Filter plugins this cycle runs, fixed once PreFilter is done (set by the framework). */
  activeFilters: readonly unknown[] | undefined;

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the contract's typed read
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  /** A copy for what-if simulations (preemption); values written later do not leak back. */
  clone(): CycleStateImpl {
    const c = new CycleStateImpl();
    for (const [k, v] of this.data)
      c.data.set(
        k,
        typeof v === 'object' && v !== null && 'clone' in v ? (v as { clone(): unknown }).clone() : v,
      );
    for (const s of this.skipFilter) c.skipFilter.add(s);
    for (const s of this.skipScore) c.skipScore.add(s);
    c.activeFilters = this.activeFilters;
    return c;
  }
}
