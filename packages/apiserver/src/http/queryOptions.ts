import { ApiError, type DeleteOptions, type ListOptions, type WatchOptions } from '@tugboat/core';

/** The write parameters of a request's query (`dryRun=All`, `fieldManager`, `fieldValidation`). */
export interface WriteQuery {
  readonly dryRun: boolean;
  readonly fieldManager?: string;
  readonly fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

/** Parses `dryRun`, `fieldManager` and `fieldValidation`; `BadRequest` on values Kubernetes refuses. */
export function writeQuery(q: URLSearchParams): WriteQuery {
  const dryRun = q.getAll('dryRun');
  for (const v of dryRun) {
    if (v !== 'All')
      throw new ApiError('BadRequest', `Invalid value: ${JSON.stringify(v)}: supported values: "All"`);
  }
  const fv = q.get('fieldValidation');
  if (fv !== null && fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
    throw new ApiError(
      'BadRequest',
      `fieldValidation: Invalid value: ${JSON.stringify(fv)}: must be one of Strict, Warn, Ignore`,
    );
  }
  const fm = q.get('fieldManager');
  if (fm !== null && fm.length > 128)
    throw new ApiError('BadRequest', 'fieldManager: Too long: must have at most 128 bytes');
  return {
    dryRun: dryRun.length > 0,
    ...(fm !== null ? { fieldManager: fm } : {}),
    ...(fv !== null ? { fieldValidation: fv } : {}),
  };
}

/** Parses list parameters: selectors, `limit`/`continue`, `resourceVersion(Match)`. */
export function listQuery(q: URLSearchParams, namespace: string | undefined): ListOptions {
  const limit = q.get('limit');
  const rvm = q.get('resourceVersionMatch');
  if (rvm !== null && rvm !== '' && rvm !== 'Exact' && rvm !== 'NotOlderThan') {
    throw new ApiError(
      'BadRequest',
      `resourceVersionMatch: Unsupported value: ${JSON.stringify(rvm)}: supported values: "Exact", "NotOlderThan"`,
    );
  }
  const rv = q.get('resourceVersion');
  checkResourceVersion(rv);
  return {
    ...(namespace !== undefined ? { namespace } : {}),
    ...optional('labelSelector', q.get('labelSelector')),
    ...optional('fieldSelector', q.get('fieldSelector')),
    ...(limit !== null && limit !== '' ? { limit: integer('limit', limit) } : {}),
    ...optional('continue', q.get('continue')),
    ...optional('resourceVersion', rv),
    ...(rvm === 'Exact' || rvm === 'NotOlderThan' ? { resourceVersionMatch: rvm } : {}),
  };
}

/** Parses watch parameters: selectors, `resourceVersion`, `allowWatchBookmarks`, `timeoutSeconds`. */
export function watchQuery(q: URLSearchParams, namespace: string | undefined): WatchOptions {
  const timeout = q.get('timeoutSeconds');
  const rv = q.get('resourceVersion');
  checkResourceVersion(rv);
  return {
    ...(namespace !== undefined ? { namespace } : {}),
    ...optional('labelSelector', q.get('labelSelector')),
    ...optional('fieldSelector', q.get('fieldSelector')),
    ...optional('resourceVersion', rv),
    ...(bool(q.get('allowWatchBookmarks')) ? { allowWatchBookmarks: true } : {}),
    ...(timeout !== null && timeout !== '' ? { timeoutSeconds: integer('timeoutSeconds', timeout) } : {}),
  };
}

/**
 * The DeleteOptions of a request: the JSON body (as kubectl sends it) overridden by query
 * parameters of the same names, as upstream merges them.
 */
export function deleteOptions(
  body: Record<string, unknown> | undefined,
  q: URLSearchParams,
  write: WriteQuery,
): DeleteOptions {
  const b = body ?? {};
  const policy = q.get('propagationPolicy') ?? b['propagationPolicy'];
  const orphan = q.get('orphanDependents') ?? b['orphanDependents'];
  const grace = q.get('gracePeriodSeconds') ?? b['gracePeriodSeconds'];
  const bodyDryRun = b['dryRun'];
  if (bodyDryRun !== undefined && (!Array.isArray(bodyDryRun) || bodyDryRun.some((v) => v !== 'All'))) {
    throw new ApiError('BadRequest', 'dryRun: Unsupported value: supported values: "All"');
  }
  let propagationPolicy: DeleteOptions['propagationPolicy'];
  if (policy !== undefined && policy !== null && policy !== '') {
    if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
      throw new ApiError(
        'BadRequest',
        `propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    propagationPolicy = policy;
  } else if (orphan === true || orphan === 'true') propagationPolicy = 'Orphan';
  let gracePeriodSeconds: number | undefined;
  if (grace !== undefined && grace !== null && grace !== '') {
    gracePeriodSeconds =
      typeof grace === 'number'
        ? grace
        : integer('gracePeriodSeconds', typeof grace === 'string' ? grace : JSON.stringify(grace));
    if (!Number.isInteger(gracePeriodSeconds) || gracePeriodSeconds < 0) {
      throw new ApiError('BadRequest', 'gracePeriodSeconds: Invalid value: must be a non-negative integer');
    }
  }
  const pre = b['preconditions'];
  let preconditions: DeleteOptions['preconditions'];
  if (pre !== undefined && pre !== null) {
    if (typeof pre !== 'object' || Array.isArray(pre))
      throw new ApiError('BadRequest', 'preconditions: must be an object');
    const { uid, resourceVersion } = pre as Record<string, unknown>;
    if (
      (uid !== undefined && typeof uid !== 'string') ||
      (resourceVersion !== undefined && typeof resourceVersion !== 'string')
    ) {
      throw new ApiError('BadRequest', 'preconditions: uid and resourceVersion must be strings');
    }
    preconditions = { ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) };
  }
  return {
    ...(write.dryRun || bodyDryRun !== undefined ? { dryRun: true } : {}),
    ...(propagationPolicy !== undefined ? { propagationPolicy } : {}),
    ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
    ...(preconditions !== undefined ? { preconditions } : {}),
  };
}

function checkResourceVersion(rv: string | null): void {
  if (rv !== null && rv !== '' && !/^\d+$/.test(rv)) {
    throw new ApiError(
      'BadRequest',
      `resourceVersion: Invalid value: ${JSON.stringify(rv)}: must be a number`,
    );
  }
}

function optional<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return value !== null && value !== '' ? ({ [key]: value } as { [P in K]?: string }) : {};
}

function bool(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function integer(name: string, value: string): number {
  if (!/^-?\d+$/.test(value))
    throw new ApiError('BadRequest', `${name}: Invalid value: ${JSON.stringify(value)}: must be an integer`);
  return Number(value);
}
