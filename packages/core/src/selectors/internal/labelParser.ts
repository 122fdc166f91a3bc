import { ApiError } from '../../errors/ApiError.js';
import { validateLabelValue, validateQualifiedName } from '../labelValidation.js';
import type { LabelOperator, Requirement } from '../LabelSelector.js';

// A port of apimachinery's labels lexer/parser, so kubectl's `-l` strings mean the same here.

type TokenKind =
  'id' | 'eos' | 'in' | 'notin' | '(' | ')' | ',' | '=' | '==' | '!=' | '!' | '>' | '<' | 'error';

interface Token {
  readonly kind: TokenKind;
  readonly lit: string;
}

const specials = new Set(['=', '!', '(', ')', ',', '>', '<']);
const symbols: Readonly<Record<string, TokenKind>> = {
  ')': ')',
  ',': ',',
  '(': '(',
  '==': '==',
  '=': '=',
  '>': '>',
  '<': '<',
  '!': '!',
  '!=': '!=',
};
const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && isSpace(text[pos] ?? '')) pos++;
    if (pos >= text.length) {
      tokens.push({ kind: 'eos', lit: '' });
      return tokens;
    }
    const ch = text[pos] ?? '';
    if (specials.has(ch)) {
      // Longest match among the symbols, as upstream's scanSpecialSymbol.
      let lit = '';
      let kind: TokenKind | undefined;
      while (pos < text.length && specials.has(text[pos] ?? '')) {
        const next = symbols[`${lit}${text[pos] ?? ''}`];
        if (next === undefined) break;
        lit += text[pos] ?? '';
        kind = next;
        pos++;
      }
      if (kind === undefined) {
        tokens.push({ kind: 'error', lit: ch });
        pos++;
      } else {
        tokens.push({ kind, lit });
      }
      continue;
    }
    const start = pos;
    while (pos < text.length && !isSpace(text[pos] ?? '') && !specials.has(text[pos] ?? '')) pos++;
    const lit = text.slice(start, pos);
    tokens.push({ kind: lit === 'in' ? 'in' : lit === 'notin' ? 'notin' : 'id', lit });
  }
}

class ParseError extends Error {}

/** Parses a label selector string into requirements sorted by key. Throws BadRequest. */
export function parseRequirements(text: string): Requirement[] {
  const p = new Parser(lex(text));
  try {
    return p.parse().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  } catch (err) {
    if (err instanceof ParseError) throw new ApiError('BadRequest', err.message);
    throw err;
  }
}

/** Builds a validated requirement, as upstream's NewRequirement; throws BadRequest. */
export function newRequirement(key: string, operator: LabelOperator, values: readonly string[]): Requirement {
  const problem = requirementProblem(key, operator, values);
  if (problem !== undefined) throw new ApiError('BadRequest', `unable to parse requirement: ${problem}`);
  return { key, operator, values: [...new Set(values)].sort() };
}

function requirementProblem(
  key: string,
  operator: LabelOperator,
  values: readonly string[],
): string | undefined {
  const keyErrs = validateQualifiedName(key);
  if (keyErrs.length > 0) return `key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`;
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0)
        return "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty";
      break;
    case '=':
    case '!=':
      if (values.length !== 1)
        return 'values: Invalid value: exact-match compatibility requires one single value';
      break;
    case 'exists':
    case '!':
      if (values.length !== 0)
        return 'values: Invalid value: values set must be empty for exists and does not exist';
      break;
  }
  for (const [i, v] of values.entries()) {
    const errs = validateLabelValue(v);
    if (errs.length > 0)
      return `values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`;
  }
  return undefined;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** The next token; in value position the keywords `in`/`notin` are plain identifiers. */
  private peek(values: boolean): Token {
    const t = this.tokens[this.pos] ?? { kind: 'eos', lit: '' };
    return values && (t.kind === 'in' || t.kind === 'notin') ? { kind: 'id', lit: t.lit } : t;
  }

  private next(values: boolean): Token {
    const t = this.peek(values);
    if (this.pos < this.tokens.length) this.pos++;
    return t;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const t = this.peek(true);
      if (t.kind === 'eos') return reqs;
      if (t.kind !== 'id' && t.kind !== '!') {
        throw new ParseError(`found '${t.lit}', expected: !, identifier, or 'end of string'`);
      }
      reqs.push(this.requirement());
      const sep = this.next(true);
      if (sep.kind === 'eos') return reqs;
      if (sep.kind !== ',') throw new ParseError(`found '${sep.lit}', expected: ',' or 'end of string'`);
      const after = this.peek(true);
      if (after.kind !== 'id' && after.kind !== '!') {
        throw new ParseError(`found '${after.lit}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): Requirement {
    let negated = false;
    let t = this.next(true);
    if (t.kind === '!') {
      negated = true;
      t = this.next(true);
    }
    if (t.kind !== 'id')
      throw new ParseError(`unable to parse requirement: found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const keyErrs = validateQualifiedName(key);
    if (keyErrs.length > 0) {
      throw new ParseError(
        `unable to parse requirement: key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`,
      );
    }
    const la = this.peek(true).kind;
    if (negated) return this.make(key, '!', []);
    if (la === 'eos' || la === ',') return this.make(key, 'exists', []);
    const op = this.next(false);
    switch (op.kind) {
      case 'in':
      case 'notin':
        return this.make(key, op.kind, this.setValues());
      case '=':
      case '==':
        return this.make(key, '=', this.exactValue());
      case '!=':
        return this.make(key, '!=', this.exactValue());
      case '>':
      case '<':
        throw new ParseError(`unable to parse requirement: operator '${op.lit}' is not supported`);
      case ',':
      case '!':
      case '(':
      case ')':
      case 'eos':
      case 'error':
      case 'id':
        throw new ParseError(
          `unable to parse requirement: found '${op.lit}', expected: in, notin, =, ==, !=`,
        );
    }
  }

  private make(key: string, operator: LabelOperator, values: string[]): Requirement {
    const problem = requirementProblem(key, operator, values);
    if (problem !== undefined) throw new ParseError(`unable to parse requirement: ${problem}`);
    return { key, operator, values: [...new Set(values)].sort() };
  }

  private exactValue(): string[] {
    const la = this.peek(true);
    if (la.kind === 'eos' || la.kind === ',') return [''];
    const t = this.next(true);
    if (t.kind === 'id') return [t.lit];
    throw new ParseError(`unable to parse requirement: found '${t.lit}', expected: identifier`);
  }

  private setValues(): string[] {
    const open = this.next(true);
    if (open.kind !== '(')
      throw new ParseError(`unable to parse requirement: found '${open.lit}' expected: '('`);
    const la = this.peek(true);
    if (la.kind === ')') {
      this.next(true);
      return [''];
    }
    if (la.kind !== 'id' && la.kind !== ',') {
      throw new ParseError(
        `unable to parse requirement: found '${la.lit}', expected: ',', ')' or identifier`,
      );
    }
    const values = this.identifierList();
    const close = this.next(true);
    if (close.kind !== ')')
      throw new ParseError(`unable to parse requirement: found '${close.lit}', expected: ')'`);
    return values;
  }

  private identifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const t = this.next(true);
      if (t.kind === 'id') {
        values.push(t.lit);
        const la = this.peek(true);
        if (la.kind === ',') continue;
        if (la.kind === ')') return values;
        throw new ParseError(`unable to parse requirement: found '${la.lit}', expected: ',' or ')'`);
      }
      if (t.kind === ',') {
        // Empty members (`(,a)`, `(a,)`, `(a,,b)`) are empty-string values, as upstream.
        if (values.length === 0) values.push('');
        const la = this.peek(true);
        if (la.kind === ')') {
          values.push('');
          return values;
        }
        if (la.kind === ',') {
          this.next(true);
          values.push('');
        }
        continue;
      }
      throw new ParseError(`unable to parse requirement: found '${t.lit}', expected: ',', or identifier`);
    }
  }
}
