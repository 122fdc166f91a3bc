/** The kinds of watch event a client sees. Errors are never events: they end the stream. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

/**
 * One change seen by a watch. `BOOKMARK` carries only `metadata.resourceVersion`, so an idle
 * watcher can resume from a recent revision. The revision of every event is the object's
 * `metadata.resourceVersion`.
 */
export interface WatchEvent<T> {
  readonly type: WatchEventType;
  readonly object: T;
}
