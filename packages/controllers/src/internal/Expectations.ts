/** How long unmet expectations are trusted before a controller acts again anyway (upstream: 5 min). */
const expectationsTimeoutMs = 5 * 60_000;

interface Expected {
  adds: number;
  readonly deletes: Set<string>;
  readonly at: number;
}

/**
 * Upstream's `UIDTrackingControllerExpectations`: what a controller has asked the API to create or
 * delete and has not yet seen in its informer cache. While a key has unmet expectations the cache
 * is known to be stale for it, so the controller must not create or delete again (that is how a
 * stale cache never causes a double create).
 */
export class Expectations {
  private readonly byKey = new Map<string, Expected>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when nothing is pending for `key`, or the pending record is too old to trust. */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (e === undefined) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return this.now() - e.at > expectationsTimeoutMs;
  }

  /** Records that `adds` creations and the deletions of `uids` are about to be issued. */
  expect(key: string, adds: number, uids: readonly string[]): void {
    this.byKey.set(key, { adds, deletes: new Set(uids), at: this.now() });
  }

  /** Records that `adds` creations are about to be issued. */
  expectCreations(key: string, adds: number): void {
    this.byKey.set(key, { adds, deletes: new Set(), at: this.now() });
  }

  /** Records that the pods with these uids are about to be deleted. */
  expectDeletions(key: string, uids: readonly string[]): void {
    this.byKey.set(key, { adds: 0, deletes: new Set(uids), at: this.now() });
  }

  /** One creation was seen in the cache, or was never going to happen (the create failed). */
  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e !== undefined) e.adds--;
  }

  /** The deletion of `uid` was seen, or was never going to happen. */
  deletionObserved(key: string, uid: string): void {
    this.byKey.get(key)?.deletes.delete(uid);
  }

  /** Forgets `key` (its owner is gone). */
  delete(key: string): void {
    this.byKey.delete(key);
  }
}
