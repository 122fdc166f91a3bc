import { ApiError } from '@tugboat/core';

/**
 * The integer an int-or-percent field (`maxSurge`, `maxUnavailable`) stands for out of `total`:
 * percentages round up or down as the caller asks (upstream `GetScaledValueFromIntOrPercent`).
 * A malformed value is an `Invalid` ApiError.
 */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (m === null) {
    if (/^\d+$/.test(value)) return Number(value);
    throw new ApiError(
      'Invalid',
      `invalid value for IntOrString: "${value}": must be an integer or percentage`,
    );
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
