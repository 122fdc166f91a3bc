import { ApiError } from '@tugboat/core';

import { rfc3339Nanos } from './logTime.js';

/** What a `/containerLogs` request asks for (upstream's `PodLogOptions`, as the kubelet reads them). */
export interface LogOptions {
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  /** Only the last N lines of what is already written. */
  readonly tailLines?: number;
  /** Only lines written at or after this instant (nanoseconds since the epoch). */
  readonly sinceNanos?: bigint;
  /** Stop after writing this many bytes. */
  readonly limitBytes?: number;
}

/** True for the ways Kubernetes query booleans are written (`true`, `1`, bare flag). */
export function queryFlag(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null) return false;
  return v === '' || v === '1' || v.toLowerCase() === 'true';
}

function integer(query: URLSearchParams, name: string, min: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw))
    throw new ApiError('BadRequest', `${name}: Invalid value: "${raw}": must be an integer`);
  const n = Number(raw);
  if (n < min) {
    const bound = min === 0 ? 'greater than or equal to 0' : `greater than ${min - 1}`;
    throw new ApiError('BadRequest', `${name}: Invalid value: ${raw}: must be ${bound}`);
  }
  return n;
}

/**
 * Reads and validates the log query; `nowMs` anchors `sinceSeconds`. Throws `BadRequest` with the
 * field and reason, as upstream's validation of `PodLogOptions` does.
 */
export function parseLogOptions(query: URLSearchParams, nowMs: number): LogOptions {
  const tailLines = integer(query, 'tailLines', 0);
  const limitBytes = integer(query, 'limitBytes', 1);
  const sinceSeconds = integer(query, 'sinceSeconds', 1);
  const sinceTime = query.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime !== null && sinceTime !== '') {
    throw new ApiError('BadRequest', 'at most one of `sinceTime` or `sinceSeconds` may be specified');
  }
  let sinceNanos: bigint | undefined;
  if (sinceSeconds !== undefined) sinceNanos = BigInt(nowMs - sinceSeconds * 1000) * 1_000_000n;
  if (sinceTime !== null && sinceTime !== '') {
    sinceNanos = rfc3339Nanos(sinceTime);
    if (sinceNanos === undefined)
      throw new ApiError('BadRequest', `sinceTime: Invalid value: "${sinceTime}": must be an RFC 3339 time`);
  }
  return {
    follow: queryFlag(query, 'follow'),
    previous: queryFlag(query, 'previous'),
    timestamps: queryFlag(query, 'timestamps'),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(sinceNanos !== undefined ? { sinceNanos } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
}
