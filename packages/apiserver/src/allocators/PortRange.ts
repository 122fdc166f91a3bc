import { ApiError } from '@tugboat/core';

/** A range of ports (`30000-32767`), inclusive at both ends, from which NodePorts are handed out. */
export class PortRange {
  private constructor(
    /** The lowest port. */
    readonly base: number,
    /** How many ports. */
    readonly size: number,
  ) {}

  /** Parses `from-to` (or a single port); anything else is a `BadRequest`. */
  static parse(text: string): PortRange {
    const match = /^\s*(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s*$/.exec(text);
    const from = Number(match?.[1]);
    const to = match?.[2] !== undefined ? Number(match[2]) : from;
    if (!match || !(from >= 1 && to <= 65535 && from <= to)) {
      throw new ApiError(
        'BadRequest',
        `invalid service node port range "${text}": want FROM-TO within 1-65535`,
      );
    }
    return new PortRange(from, to - from + 1);
  }

  /** Whether `port` lies in the range. */
  contains(port: number): boolean {
    return port >= this.base && port < this.base + this.size;
  }

  /** Upstream's way of printing a range in messages: `30000-32767`. */
  toString(): string {
    return `${this.base}-${this.base + this.size - 1}`;
  }
}
