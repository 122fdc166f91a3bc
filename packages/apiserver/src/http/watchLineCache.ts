import type { KubeObject, ResourceDefinition, WatchEvent } from '@tugboat/core';

const limit = 1024;
const lines = new Map<string, string>();

/**
 * The NDJSON line of a watch event, serialized once per change however many watchers receive it:
 * every watcher of a resource gets an equal object for the same store event, so the line is keyed
 * by resource, event type, object and resourceVersion. Bookmarks are not cached (they differ per
 * watcher only in timing, and are tiny).
 */
export function watchLine(def: ResourceDefinition, event: WatchEvent<KubeObject>): string {
  const meta = event.object.metadata;
  if (event.type === 'BOOKMARK' || meta?.resourceVersion === undefined || meta.uid === undefined) {
    return `${JSON.stringify({ type: event.type, object: event.object })}\n`;
  }
  const key = `${def.group}/${def.version}/${def.plural}|${event.type}|${meta.uid}|${meta.resourceVersion}`;
  let line = lines.get(key);
  if (line === undefined) {
    line = `${JSON.stringify({ type: event.type, object: event.object })}\n`;
    lines.set(key, line);
    if (lines.size > limit) {
      const oldest = lines.keys().next();
      if (oldest.done !== true) lines.delete(oldest.value);
    }
  }
  return line;
}
