/**
 * Parses a Go-style duration (`24h`, `90m`, `1h30m`, `15s`, `500ms`, `0`) into milliseconds; a
 * string is the complaint about a bad value.
 */
export function parseDurationFlag(flag: string, raw: string): number | string {
  if (raw === '0') return 0;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < raw.length) {
    part.lastIndex = at;
    const m = part.exec(raw);
    if (m?.[1] === undefined || m[2] === undefined) break;
    total += Number(m[1]) * (units[m[2]] ?? 0);
    at = part.lastIndex;
  }
  if (raw === '' || at !== raw.length)
    return `${flag} must be a duration such as 24h, 90m, 1h30m or 15s (or 0), got "${raw}"`;
  return Math.round(total);
}
