/** Any UTF-16 unit where code-unit order and code-point order can disagree. */
const high = /[\ud800-\uffff]/;

/**
 * Orders keys by Unicode code point, which is UTF-8 byte order: the order etcd lists in. JavaScript's
 * own `<` compares UTF-16 code units and would put U+1F600 before U+FFFD; the two orders differ only
 * where a surrogate meets a unit at or above U+E000, so keys without such units compare natively.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  if (!high.test(a) || !high.test(b)) return a < b ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return weight(x) - weight(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (astral code points) above U+E000–U+FFFF, keeping everything else in place. */
function weight(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
