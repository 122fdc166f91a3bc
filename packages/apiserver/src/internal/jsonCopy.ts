import { ApiError } from '@tugboat/core';

/** Deeper than any API object; past it the value is most likely circular. */
const maxDepth = 512;

/**
 * A deep copy of a value as a JSON round trip (`JSON.parse(JSON.stringify(value))`) would give it,
 * at a fraction of the cost: plain objects and arrays are copied member by member, members that
 * JSON drops (undefined, functions, symbols) are dropped, and anything else that is not plain data
 * (a `toJSON` method, a class instance, a non-finite number, a cycle) takes the real round trip
 * for that part. So the copy is what the store would hold, and never shares anything with `value`.
 * Throws `BadRequest` for what JSON cannot represent (a BigInt, a circular structure).
 */
export function jsonCopy<T>(value: T): T {
  try {
    return copyValue(value, 0) as T;
  } catch (err) {
    if (ApiError.is(err)) throw err;
    throw new ApiError(
      'BadRequest',
      `the object cannot be represented as JSON: ${(err as Error).message}`,
      {},
      { cause: err },
    );
  }
}

function copyValue(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'number' && !Number.isFinite(value)) return null;
    if (typeof value === 'bigint') return roundTrip(value);
    return value;
  }
  if (depth > maxDepth) return roundTrip(value);
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      // In an array JSON writes null for what it drops in an object.
      out[i] =
        item === undefined || typeof item === 'function' || typeof item === 'symbol'
          ? null
          : copyValue(item, depth + 1);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (
    (proto !== Object.prototype && proto !== null) ||
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  )
    return roundTrip(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    const copied = copyValue(item, depth + 1);
    // An own `__proto__` member (JSON.parse makes one) must stay data, not become the prototype.
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: copied,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = copied;
  }
  return out;
}

function roundTrip(value: unknown): unknown {
  // Undefined for what JSON drops (a function), though the types say otherwise.
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? null : JSON.parse(text);
}
