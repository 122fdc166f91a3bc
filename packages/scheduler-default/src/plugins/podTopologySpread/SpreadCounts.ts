import type { Constraint } from './constraints.js';

/** PodTopologySpread's PreFilter state: matching pods per domain for each hard constraint, and the minimum. */
export class SpreadCounts {
  /** Whether each constraint's selector selects the incoming pod itself (fixed for the cycle). */
  selfMatch: number[] = [];

  constructor(
    readonly constraints: readonly Constraint[],
    public counts: Map<string, number>[],
    public mins: number[],
  ) {}

  /** Recomputes the global minimum of constraint `i` (0 while fewer domains than minDomains exist). */
  recompute(i: number): void {
    const counts = this.counts[i] as Map<string, number>;
    const c = this.constraints[i] as Constraint;
    let min = Infinity;
    for (const v of counts.values()) if (v < min) min = v;
    this.mins[i] = counts.size < c.minDomains || min === Infinity ? 0 : min;
  }

  clone(): SpreadCounts {
    const c = new SpreadCounts(
      this.constraints,
      this.counts.map((m) => new Map(m)),
      [...this.mins],
    );
    c.selfMatch = this.selfMatch;
    return c;
  }
}
