import { ApiError } from '../errors/ApiError.js';

/** One term of a field selector: `field=value` or `field!=value`. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

/**
 * A parsed field selector (`spec.nodeName=n1,status.phase!=Running`): a conjunction of
 * {@link FieldRequirement}s over an object's selectable fields. A field missing from the map
 * counts as the empty string, as upstream.
 */
export interface FieldSelector {
  matches(fields: Readonly<Record<string, string>>): boolean;
  readonly requirements: readonly FieldRequirement[];
  /** True for the selector with no requirements, which matches everything. */
  readonly empty: boolean;
  toString(): string;
}

class TermsSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {
    Object.freeze(requirements);
  }

  get empty(): boolean {
    return this.requirements.length === 0;
  }

  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.requirements.every((r) => {
      const actual = Object.prototype.hasOwnProperty.call(fields, r.field) ? (fields[r.field] ?? '') : '';
      return r.operator === '=' ? actual === r.value : actual !== r.value;
    });
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** Escapes `\`, `,` and `=` in a field selector value, as upstream's `EscapeValue`. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function unescapeValue(value: string): string {
  let out = '';
  let escaping = false;
  for (const ch of value) {
    if (escaping) {
      if (ch !== '\\' && ch !== ',' && ch !== '=') {
        throw new ApiError('BadRequest', `invalid field selector: invalid escape sequence: \\${ch}`);
      }
      out += ch;
      escaping = false;
    } else if (ch === '\\') {
      escaping = true;
    } else if (ch === ',' || ch === '=') {
      throw new ApiError(
        'BadRequest',
        `invalid field selector: unescaped ${ch} in value ${JSON.stringify(value)}`,
      );
    } else {
      out += ch;
    }
  }
  if (escaping)
    throw new ApiError('BadRequest', 'invalid field selector: invalid escape sequence: trailing \\');
  return out;
}

function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

// Checked in this order at each position, so `a!=b` is `!=` and `a==b` is `==`.
const termOperators = ['!=', '==', '='] as const;

/**
 * Parses a field selector string as the `fieldSelector` query parameter: terms `f=v`, `f==v`,
 * `f!=v` joined by commas (AND); `\`, `,` and `=` in values are escaped with a backslash. Bad
 * input throws an `ApiError` `BadRequest`.
 */
export function parseFieldSelector(text: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  if (text.length > 0) {
    for (const term of splitTerms(text)) {
      if (term === '') continue;
      let found: FieldRequirement | undefined;
      for (let i = 0; i < term.length && found === undefined; i++) {
        for (const op of termOperators) {
          if (term.startsWith(op, i)) {
            found = {
              field: term.slice(0, i),
              operator: op === '!=' ? '!=' : '=',
              value: unescapeValue(term.slice(i + op.length)),
            };
            break;
          }
        }
      }
      if (found === undefined) {
        throw new ApiError('BadRequest', `invalid selector: '${text}'; can't understand '${term}'`);
      }
      reqs.push(found);
    }
  }
  reqs.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  return new TermsSelector(reqs);
}

/**
 * Reads a dotted field path (`spec.nodeName`) from an object as a field selector sees it: strings
 * as they are, booleans as `true`/`false`, numbers in decimal, and `''` when absent.
 */
export function fieldValue(object: unknown, path: string): string {
  let cur: unknown = object;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, part))
      return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  switch (typeof cur) {
    case 'string':
      return cur;
    case 'boolean':
    case 'number':
    case 'bigint':
      return String(cur);
    case 'function':
    case 'object':
    case 'symbol':
    case 'undefined':
      return '';
  }
}
