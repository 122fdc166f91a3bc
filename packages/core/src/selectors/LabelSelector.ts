import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js';

import { ApiError } from '../errors/ApiError.js';
import type { StatusCause } from '../errors/ApiError.js';
import { newRequirement, parseRequirements } from './internal/labelParser.js';

/**
 * A label selector operator: equality (`=`, also written `==`), inequality (`!=`), set membership
 * (`in`, `notin`), presence of the key (`exists`) and its absence (`!`).
 */
export type LabelOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!';

/** One term of a label selector. `values` is sorted and de-duplicated. */
export interface Requirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: string[];
}

/**
 * A parsed label selector: a conjunction of {@link Requirement}s that decides whether a set of
 * labels matches. `toString()` is the canonical string form (`a=b,c in (d,e),!f`).
 */
export interface Selector {
  /** True when every requirement holds for `labels` (missing labels count as absent keys). */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** True for the selector with no requirements, which matches everything. */
  readonly empty: boolean;
  readonly requirements: readonly Requirement[];
  toString(): string;
}

/** The runtime label selector type; the same as {@link Selector}. */
export type LabelSelector = Selector;

class RequirementsSelector implements Selector {
  constructor(readonly requirements: readonly Requirement[]) {
    Object.freeze(requirements);
  }

  get empty(): boolean {
    return this.requirements.length === 0;
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    return this.requirements.every((r) => requirementMatches(r, labels));
  }

  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
}

const nothingSelector: Selector = Object.freeze({
  matches: () => false,
  empty: false,
  requirements: Object.freeze([]),
  toString: () => '',
});

const everythingSelector: Selector = new RequirementsSelector([]);

/** The selector that matches every set of labels. */
export function everything(): Selector {
  return everythingSelector;
}

/** The selector that matches nothing (what a missing `LabelSelector` means, as upstream). */
export function nothing(): Selector {
  return nothingSelector;
}

/** Whether one requirement holds for `labels`. */
export function requirementMatches(
  r: Requirement,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case 'in':
      return value !== undefined && r.values.includes(value);
    case '!=':
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
  }
}

function requirementToString(r: Requirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case '=':
    case '!=':
      return `${r.key}${r.operator}${r.values[0] ?? ''}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
  }
}

/**
 * Parses a label selector string as kubectl's `-l` and the `labelSelector` query parameter:
 * `a=b`, `a==b`, `a!=b`, `a in (b,c)`, `a notin (b)`, `a`, `!a`, joined by commas. Keys and
 * values are validated as Kubernetes does; bad input throws an `ApiError` `BadRequest`.
 */
export function parseLabelSelector(text: string): Selector {
  return new RequirementsSelector(parseRequirements(text));
}

/** A selector requiring exactly the given labels (`matchLabels`); throws `BadRequest` on invalid keys or values. */
export function selectorFromSet(set: Readonly<Record<string, string>> | undefined): Selector {
  if (set === undefined) return everythingSelector;
  const reqs = Object.keys(set)
    .sort()
    .map((k) => newRequirement(k, '=', [set[k] ?? '']));
  return new RequirementsSelector(reqs);
}

const metaOperators: Readonly<Record<string, LabelOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * Converts a `metav1.LabelSelector` (matchLabels and matchExpressions) into a {@link Selector},
 * as upstream's `LabelSelectorAsSelector`: a missing selector matches nothing and `{}` matches
 * everything. An unknown operator or bad key/value throws an `ApiError` `Invalid` naming the field.
 */
export function selectorFromLabelSelector(sel: MetaLabelSelector | undefined | null): Selector {
  if (sel === undefined || sel === null) return nothingSelector;
  const reqs: Requirement[] = [];
  const causes: StatusCause[] = [];
  const add = (field: string, key: string, op: LabelOperator, values: readonly string[]): void => {
    try {
      reqs.push(newRequirement(key, op, values));
    } catch (err) {
      causes.push({
        reason: 'FieldValueInvalid',
        field,
        message: err instanceof Error ? err.message : String(err),
      });
    }
  };
  for (const key of Object.keys(sel.matchLabels ?? {})) {
    add(`matchLabels[${key}]`, key, '=', [sel.matchLabels?.[key] ?? '']);
  }
  for (const [i, expr] of (sel.matchExpressions ?? []).entries()) {
    const field = `matchExpressions[${i}]`;
    const op = Object.prototype.hasOwnProperty.call(metaOperators, expr.operator)
      ? metaOperators[expr.operator]
      : undefined;
    if (op === undefined) {
      causes.push({
        reason: 'FieldValueNotSupported',
        field: `${field}.operator`,
        message: `Unsupported value: ${JSON.stringify(expr.operator)}: supported values: "DoesNotExist", "Exists", "In", "NotIn"`,
      });
      continue;
    }
    add(field, expr.key, op, expr.values ?? []);
  }
  if (causes.length > 0) {
    throw new ApiError(
      'Invalid',
      `invalid label selector: ${causes.map((c) => `${c.field ?? ''}: ${c.message}`).join(', ')}`,
      { causes },
    );
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return new RequirementsSelector(reqs);
}
