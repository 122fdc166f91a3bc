/**
 * Who holds which item (an IP offset, a port) of an allocation range: the holdings of stored
 * Services, kept from the store, plus reservations made by writes still in flight. A reservation
 * becomes a stored holding when its Service reaches the store, and expires otherwise (the write
 * failed after admission), so a failed create never leaks an item for long.
 */
export class AllocationLedger {
  private readonly stored = new Map<number, string>();
  private readonly pending = new Map<number, { readonly owner: string; readonly expires: number }>();
  private readonly byOwner = new Map<string, readonly number[]>();

  constructor(
    private readonly now: () => number,
    private readonly reservationTtlMs: number,
  ) {}

  /**
   * Records what `owner` (a Service's `namespace/name`) holds in the store, replacing what it held
   * before; an empty list releases everything (the Service was deleted or let go of the items).
   * Returns items another stored Service already held (a conflict a repair should report).
   */
  setStored(owner: string, items: readonly number[]): number[] {
    for (const item of this.byOwner.get(owner) ?? []) {
      if (this.stored.get(item) === owner) this.stored.delete(item);
    }
    const conflicts: number[] = [];
    for (const item of items) {
      const holder = this.stored.get(item);
      if (holder !== undefined && holder !== owner) conflicts.push(item);
      else this.stored.set(item, owner);
      if (this.pending.get(item)?.owner === owner) this.pending.delete(item);
    }
    if (items.length > 0) this.byOwner.set(owner, items);
    else this.byOwner.delete(owner);
    return conflicts;
  }

  /** Forgets every stored holding (before a relist rebuilds them); reservations stay. */
  clearStored(): void {
    this.stored.clear();
    this.byOwner.clear();
  }

  /** The owner holding `item` (stored or by a live reservation), if any. */
  holder(item: number): string | undefined {
    const stored = this.stored.get(item);
    if (stored !== undefined) return stored;
    const reserved = this.pending.get(item);
    if (reserved === undefined) return undefined;
    if (reserved.expires > this.now()) return reserved.owner;
    this.pending.delete(item);
    return undefined;
  }

  /** Whether `owner` may take `item`: nobody else holds or reserved it. */
  isFreeFor(item: number, owner: string): boolean {
    const holder = this.holder(item);
    return holder === undefined || holder === owner;
  }

  /** Reserves `item` for `owner` until its Service is seen in the store or the reservation expires. */
  reserve(item: number, owner: string): void {
    // What the owner already holds in the store needs no reservation, and one would outlive a release.
    if (this.stored.get(item) === owner) return;
    this.pending.set(item, { owner, expires: this.now() + this.reservationTtlMs });
  }

  /** Drops `owner`'s reservation of `item` (its write was rejected before reaching the store). */
  unreserve(item: number, owner: string): void {
    if (this.pending.get(item)?.owner === owner) this.pending.delete(item);
  }

  /** The items `owner` holds in the store. */
  storedBy(owner: string): readonly number[] {
    return this.byOwner.get(owner) ?? [];
  }

  /** How many items are held or reserved. */
  get size(): number {
    let n = this.stored.size;
    for (const item of this.pending.keys()) if (!this.stored.has(item) && this.holder(item)) n++;
    return n;
  }
}
