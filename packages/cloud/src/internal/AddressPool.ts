import { ApiError } from '@tugboat/core';

function parse(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function format(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The usable addresses of an IPv4 CIDR handed out one per owner (network and broadcast excluded). */
export class AddressPool {
  private readonly first: number;
  private readonly size: number;
  private readonly taken = new Map<number, string>();

  constructor(readonly cidr: string) {
    const m = /^([^/]+)\/(\d{1,2})$/.exec(cidr);
    const base = m?.[1] !== undefined ? parse(m[1]) : undefined;
    const bits = Number(m?.[2]);
    if (base === undefined || !(bits >= 1 && bits <= 30))
      throw new ApiError(
        'BadRequest',
        `invalid load balancer address pool "${cidr}": want an IPv4 CIDR of /1 to /30`,
      );
    const block = 2 ** (32 - bits);
    this.first = base - (base % block) + 1;
    this.size = block - 2;
  }

  /** The address `owner` holds, taking the next free one if it holds none; `undefined` when exhausted. */
  acquire(owner: string): string | undefined {
    for (const [n, o] of this.taken) if (o === owner) return format(n);
    for (let i = 0; i < this.size; i++) {
      if (!this.taken.has(this.first + i)) {
        this.taken.set(this.first + i, owner);
        return format(this.first + i);
      }
    }
    return undefined;
  }

  /** Gives back what `owner` holds. */
  release(owner: string): void {
    for (const [n, o] of this.taken) if (o === owner) this.taken.delete(n);
  }
}
