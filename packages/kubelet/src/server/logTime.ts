const timePattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The instant of an RFC 3339 timestamp in nanoseconds since the epoch, keeping the sub-millisecond
 * digits CRI log lines carry (a JS Date would drop them); `undefined` when it does not parse.
 */
export function rfc3339Nanos(time: string): bigint | undefined {
  const m = timePattern.exec(time);
  if (!m) return undefined;
  const [, head, fraction = '', zone] = m;
  const ms = Date.parse(`${head ?? ''}${zone ?? ''}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
}

/**
 * A CRI timestamp rewritten as Go's `time.RFC3339Nano` prints it (trailing zeros of the fraction
 * dropped, no fraction when it is zero), which is how upstream's kubelet prefixes lines when
 * `timestamps=true`.
 */
export function formatRfc3339Nano(time: string): string {
  const m = timePattern.exec(time);
  if (!m) return time;
  const [, head, fraction = '', zone] = m;
  const trimmed = fraction.replace(/0+$/, '');
  return `${head ?? ''}${trimmed === '' ? '' : `.${trimmed}`}${zone ?? ''}`;
}
