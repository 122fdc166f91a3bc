/**
 * `ms` (default: now) as Kubernetes serialises `metav1.Time`: RFC 3339 in UTC with whole seconds.
 * Every time in the same second has the same text, so it is formatted once per second: the write
 * path stamps several times on every object.
 */
export function metaTime(ms: number = Date.now()): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}

let lastSecond = NaN;
let lastText = '';

/** `ms` as Kubernetes serialises `metav1.MicroTime` (Leases): RFC 3339 in UTC with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
