import { ApiError } from '@tugboat/core';

/** Parses dotted-quad IPv4 text to a 32-bit unsigned number, or `undefined` if it is not one. */
function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * An IPv4 CIDR block from which service cluster IPs are handed out, indexed by offset. As upstream,
 * the network and broadcast addresses are never handed out, so offset 0 is the first usable
 * address (`127.10.0.1` for `127.10.0.0/16`), the one the `kubernetes` Service gets.
 */
export class Ipv4Range {
  /** The CIDR as given (`127.10.0.0/16`). */
  readonly cidr: string;
  /** How many addresses can be handed out. */
  readonly size: number;
  private readonly first: number;

  private constructor(cidr: string, first: number, size: number) {
    this.cidr = cidr;
    this.first = first;
    this.size = size;
  }

  /** Parses `a.b.c.d/len`; a bad CIDR or one with fewer than 2 usable addresses is a `BadRequest`. */
  static parse(cidr: string): Ipv4Range {
    const match = /^([^/]+)\/(\d{1,2})$/.exec(cidr.trim());
    const base = match?.[1] !== undefined ? parseIpv4(match[1]) : undefined;
    const bits = match?.[2] !== undefined ? Number(match[2]) : NaN;
    if (base === undefined || !(bits >= 1 && bits <= 30)) {
      throw new ApiError(
        'BadRequest',
        `invalid service cluster IP range "${cidr}": want an IPv4 CIDR of /1 to /30`,
      );
    }
    const blockSize = 2 ** (32 - bits);
    const network = base - (base % blockSize);
    return new Ipv4Range(cidr.trim(), network + 1, blockSize - 2);
  }

  /** The offset of `ip` in the range, or `undefined` if it is not an IPv4 address inside it. */
  offsetOf(ip: string): number | undefined {
    const n = parseIpv4(ip);
    if (n === undefined) return undefined;
    const offset = n - this.first;
    return offset >= 0 && offset < this.size ? offset : undefined;
  }

  /** The address at `offset` (0 ≤ offset < size). */
  addressAt(offset: number): string {
    return formatIpv4(this.first + offset);
  }

  /** Whether `text` is an IPv4 address at all (in any range). */
  static isIpv4(text: string): boolean {
    return parseIpv4(text) !== undefined;
  }
}
