import { ApiError } from '@tugboat/core';

/**
 * Maps store keys to etcd keys under a prefix and back. The prefix is joined without doubling the
 * slash, so with prefix `/registry` the store key `/core/pods/ns/a` is the etcd key
 * `/registry/core/pods/ns/a`; the mapping is plain concatenation, so it is exactly reversible.
 */
export class KeySpace {
  private readonly base: string;
  private readonly baseBytes: Buffer;

  constructor(prefix: string) {
    this.base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    this.baseBytes = Buffer.from(this.base, 'utf8');
  }

  /** The etcd key for a store key; rejects keys etcd cannot hold or that would escape the prefix. */
  toEtcd(key: string): Buffer {
    if (typeof key !== 'string' || key.length === 0)
      throw new ApiError('Invalid', 'store key must be a non-empty string');
    return Buffer.from(this.base + key, 'utf8');
  }

  /** The etcd key for a list/watch prefix (an empty prefix means everything under the base). */
  prefixToEtcd(prefix: string): Buffer {
    if (typeof prefix !== 'string') throw new ApiError('Invalid', 'store prefix must be a string');
    return Buffer.from(this.base + prefix, 'utf8');
  }

  /** The store key for an etcd key read from this key space. */
  fromEtcd(key: Buffer): string {
    return key.subarray(this.baseBytes.length).toString('utf8');
  }
}

/** The smallest key greater than every key starting with `prefix` (etcd's `range_end`); `\0` means "to the end". */
export function rangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    const byte = end[i] ?? 0xff;
    if (byte < 0xff) {
      end[i] = byte + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** The key right after `key` in etcd's byte order. */
export function keyAfter(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}
