/** Characters of upstream's `rand.SafeEncodeString`: no vowels, no confusable digits. */
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted, so equal values always serialise the same way. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The `pod-template-hash` of a pod template: FNV-1a of its canonical form (plus the collision
 * count, when set), written in decimal and safe-encoded as upstream `ComputeHash` does, so the
 * name it yields never spells words.
 */
export function templateHash(template: unknown, collisionCount?: number): string {
  const text = stableStringify(template) + (collisionCount !== undefined ? `#${collisionCount}` : '');
  const digits = String(fnv1a32(text));
  let out = '';
  for (let i = 0; i < digits.length; i++) out += alphanums[digits.charCodeAt(i) % alphanums.length] ?? '';
  return out;
}
