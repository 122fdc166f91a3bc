import { ApiError } from '../errors/ApiError.js';

/**
 * How a quantity is written, chosen by its suffix: `BinarySI` (`Ki`…`Ei`), `DecimalSI`
 * (`n`…`E`, or none) or `DecimalExponent` (`e3`, `E-6`).
 */
export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

const splitRe = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const formatWrong = `quantities must match the regular expression '${splitRe}'`;
const numberRe = /^([+-]?)([0-9]*)(?:\.([0-9]*))?/;

// Everything is held as an integer count of nano-units: finer input rounds away from zero, as
// upstream does so that asking for a tiny amount still yields some.
const nanoScale = 9;
const nanoPerUnit = 10n ** 9n;
// Bounds the exponent so that a hostile `1e999999999` cannot allocate a giant bigint.
const maxExponent = 1000;
const maxBinaryNanos = (2n ** 63n - 1n) * 10n ** 9n;

const binarySuffixes: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSuffixes: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByExponent = new Map(Object.entries(binarySuffixes).map(([s, e]) => [e / 10, s]));

function bad(message = formatWrong): ApiError {
  return new ApiError('BadRequest', message);
}

/** Divides rounding away from zero (`n` and `d` non-zero `d`). */
function divAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  return q * d === n ? q : n < 0n ? q - 1n : q + 1n;
}

/** Divides rounding toward positive infinity. */
function divCeil(n: bigint, d: bigint): bigint {
  const q = n / d;
  return q * d === n || n < 0n ? q : q + 1n;
}

/**
 * A Kubernetes resource quantity (`100m`, `1.5Gi`, `2e3`): an exact fixed-point number with nano
 * precision and the format it was written in. Immutable; arithmetic returns new quantities.
 * `toString()` gives the canonical form upstream serialises (`1.5Gi` → `1536Mi`, `0.5` → `500m`).
 */
export class Quantity {
  private constructor(
    /** The value in nano-units (10^-9). */
    readonly nanos: bigint,
    readonly format: QuantityFormat,
  ) {}

  /** Parses a quantity string; throws an `ApiError` `BadRequest` when it is not one. */
  static parse(text: string): Quantity {
    if (text.length === 0) throw bad();
    const m = numberRe.exec(text);
    const sign = m?.[1] ?? '';
    const whole = m?.[2] ?? '';
    const frac = m?.[3] ?? '';
    const numLen = m?.[0].length ?? 0;
    if (numLen === sign.length) throw bad();
    const suffix = text.slice(numLen);
    if (!/^[eEinumkKMGTP]*[-+]?[0-9]*$/.test(suffix)) throw bad();

    let format: QuantityFormat;
    let exp10 = 0;
    let exp2 = 0;
    if (Object.prototype.hasOwnProperty.call(decimalSuffixes, suffix)) {
      format = 'DecimalSI';
      exp10 = decimalSuffixes[suffix] ?? 0;
    } else if (Object.prototype.hasOwnProperty.call(binarySuffixes, suffix)) {
      format = 'BinarySI';
      exp2 = binarySuffixes[suffix] ?? 0;
    } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
      format = 'DecimalExponent';
      const e = Number(suffix.slice(1));
      if (!Number.isSafeInteger(e) || Math.abs(e) > maxExponent)
        throw bad(`quantity exponent out of range: ${text}`);
      exp10 = e;
    } else {
      throw bad("unable to parse quantity's suffix");
    }

    // mantissa * 10^(exp10 - frac.length) * 2^exp2, held at nano scale.
    let n = BigInt(`${whole === '' ? '0' : whole}${frac}`) * 2n ** BigInt(exp2);
    const shift = exp10 - frac.length + nanoScale;
    n = shift >= 0 ? n * 10n ** BigInt(shift) : divAwayFromZero(n, 10n ** BigInt(-shift));
    // Upstream caps binary quantities at the largest int64, and writes fractions of one in decimal.
    if (format === 'BinarySI' && n > maxBinaryNanos) n = maxBinaryNanos;
    if (format === 'BinarySI' && n > 0n && n < nanoPerUnit) format = 'DecimalSI';
    return new Quantity(sign === '-' ? -n : n, format);
  }

  /** Parses a quantity string, or returns `undefined` when it is not one. */
  static tryParse(text: string): Quantity | undefined {
    try {
      return Quantity.parse(text);
    } catch {
      return undefined;
    }
  }

  /** A DecimalSI quantity of `n` thousandths (`fromMillis(250)` is `250m`). */
  static fromMillis(n: number | bigint): Quantity {
    return new Quantity(BigInt(n) * 1_000_000n, 'DecimalSI');
  }

  /** A quantity of `n` whole units (`fromValue(2)` is `2`, `fromValue(1024, 'BinarySI')` is `1Ki`). */
  static fromValue(n: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(n) * nanoPerUnit, format);
  }

  /** A zero quantity. */
  static zero(format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(0n, format);
  }

  /** The sum, in this quantity's format. */
  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.format);
  }

  /** The difference, in this quantity's format. */
  sub(other: Quantity): Quantity {
    return new Quantity(this.nanos - other.nanos, this.format);
  }

  /** This quantity times an integer factor (`replicas × request`). */
  mul(factor: number | bigint): Quantity {
    return new Quantity(this.nanos * BigInt(factor), this.format);
  }

  /** The negated quantity. */
  neg(): Quantity {
    return new Quantity(-this.nanos, this.format);
  }

  /** -1, 0 or 1 as this quantity is less than, equal to or greater than `other`. */
  cmp(other: Quantity): -1 | 0 | 1 {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  /** Whether both quantities have the same value, whatever their formats. */
  equals(other: Quantity): boolean {
    return this.nanos === other.nanos;
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  /** The value in thousandths, rounded up (`milliValue` of `1n` is 1). */
  milliValue(): number {
    return Number(divCeil(this.nanos, 1_000_000n));
  }

  /** The value in whole units, rounded up (`value` of `100m` is 1). */
  value(): number {
    return Number(divCeil(this.nanos, nanoPerUnit));
  }

  /** The value as a (possibly inexact) floating-point number, for ratios and display. */
  toNumber(): number {
    return Number(this.nanos) / 1e9;
  }

  /** The canonical string form, as upstream's `Quantity.String()`. */
  toString(): string {
    if (this.nanos === 0n) return '0';
    const negative = this.nanos < 0n;
    const abs = negative ? -this.nanos : this.nanos;
    let format = this.format;
    if (format === 'BinarySI' && (abs < 1024n * nanoPerUnit || abs % nanoPerUnit !== 0n)) {
      // Small or fractional binary values read better (and exactly) as decimal.
      format = 'DecimalSI';
    }
    const body = format === 'BinarySI' ? binaryString(abs / nanoPerUnit) : decimalString(abs, format);
    return negative ? `-${body}` : body;
  }

  /** Serialises as the canonical string, as Kubernetes JSON does. */
  toJSON(): string {
    return this.toString();
  }
}

function binaryString(units: bigint): string {
  let n = units;
  let exp = 0;
  while (exp < 6 && n % 1024n === 0n) {
    n /= 1024n;
    exp++;
  }
  return `${n}${binaryByExponent.get(exp) ?? ''}`;
}

function decimalString(nanos: bigint, format: QuantityFormat): string {
  let n = nanos;
  let exp = -nanoScale;
  while (n % 10n === 0n) {
    n /= 10n;
    exp++;
  }
  while (exp % 3 !== 0) {
    n *= 10n;
    exp--;
  }
  if (format === 'DecimalExponent') return exp === 0 ? `${n}` : `${n}e${exp}`;
  if (exp > 18) {
    n *= 10n ** BigInt(exp - 18);
    exp = 18;
  }
  return `${n}${decimalByExponent.get(exp) ?? ''}`;
}
