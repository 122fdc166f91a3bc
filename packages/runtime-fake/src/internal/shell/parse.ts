import type { AndOr, Command, Pipeline, Redirect, Script, Word, WordPart } from './ast.js';

type Token =
  | { readonly t: 'word'; readonly word: Word }
  | { readonly t: 'op'; readonly op: ';' | '&&' | '||' | '|' | '&' }
  | { readonly t: 'redir'; readonly fd: 1 | 2; readonly dup?: 1 | 2; readonly append: boolean };

/** A shell script the interpreter cannot parse; sh reports these as exit code 2. */
export class ShellSyntaxError extends Error {}

const reserved = new Set(['do', 'done', 'then', 'else', 'elif', 'fi', 'while', 'until', 'for', 'if', 'in']);

/** Splits a script into words, operators and redirections, honouring quotes and escapes. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let parts: WordPart[] = [];
  let text = '';
  let inWord = false;
  const endText = (): void => {
    if (text) parts.push({ text, quote: 'none' });
    text = '';
  };
  const endWord = (): void => {
    endText();
    if (inWord) tokens.push({ t: 'word', word: parts });
    parts = [];
    inWord = false;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    const next = src[i + 1];
    if (c === ' ' || c === '\t') {
      endWord();
    } else if (c === '\n' || c === ';') {
      endWord();
      tokens.push({ t: 'op', op: ';' });
    } else if (c === '#' && !inWord) {
      while (i + 1 < src.length && src[i + 1] !== '\n') i++;
    } else if (c === '&' || c === '|') {
      endWord();
      if (next === c) {
        tokens.push({ t: 'op', op: c === '&' ? '&&' : '||' });
        i++;
      } else tokens.push({ t: 'op', op: c });
    } else if (c === '>' || ((c === '1' || c === '2') && next === '>' && !inWord)) {
      endWord();
      let fd: 1 | 2 = 1;
      if (c !== '>') {
        fd = c === '1' ? 1 : 2;
        i++;
      }
      const append = src[i + 1] === '>';
      if (append) i++;
      if (src[i + 1] === '&' && (src[i + 2] === '1' || src[i + 2] === '2')) {
        tokens.push({ t: 'redir', fd, dup: src[i + 2] === '1' ? 1 : 2, append });
        i += 2;
      } else tokens.push({ t: 'redir', fd, append });
    } else if (c === "'") {
      endText();
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError('unterminated quoted string');
      parts.push({ text: src.slice(i + 1, end), quote: 'single' });
      inWord = true;
      i = end;
    } else if (c === '"') {
      endText();
      let s = '';
      let j = i + 1;
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === '\\' && j + 1 < src.length && '"\\$`'.includes(src[j + 1] as string))
          s += src[++j] ?? '';
        else s += src[j] ?? '';
      }
      if (j >= src.length) throw new ShellSyntaxError('unterminated quoted string');
      parts.push({ text: s, quote: 'double' });
      inWord = true;
      i = j;
    } else if (c === '\\' && next !== undefined) {
      endText();
      parts.push({ text: next === '\n' ? '' : next, quote: 'single' });
      inWord = true;
      i++;
    } else if (c === '$' && next === '{') {
      const end = src.indexOf('}', i);
      if (end < 0) throw new ShellSyntaxError('unterminated ${');
      text += src.slice(i, end + 1);
      inWord = true;
      i = end;
    } else if ('(){}<`'.includes(c)) {
      throw new ShellSyntaxError(`unsupported syntax "${c}" (the fake runtime's sh subset)`);
    } else {
      text += c;
      inWord = true;
    }
  }
  endWord();
  return tokens;
}

/** The literal text of a word when it is a single unquoted part (how keywords are recognised). */
function bare(tok: Token | undefined): string | undefined {
  if (tok?.t !== 'word' || tok.word.length !== 1) return undefined;
  const [p] = tok.word;
  return p?.quote === 'none' ? p.text : undefined;
}

/** Parses a script of the supported sh subset into its syntax tree. */
export function parseScript(src: string): Script {
  const tokens = tokenize(src);
  let pos = 0;

  const skipSeparators = (): void => {
    while (tokens[pos]?.t === 'op' && (tokens[pos] as { op: string }).op === ';') pos++;
  };
  const expectWord = (kw: string): void => {
    skipSeparators();
    if (bare(tokens[pos]) !== kw) throw new ShellSyntaxError(`expected "${kw}"`);
    pos++;
  };

  const script = (stop: readonly string[]): Script => {
    const list: AndOr[] = [];
    for (;;) {
      skipSeparators();
      const tok = tokens[pos];
      if (!tok) break;
      const kw = bare(tok);
      if (kw !== undefined && stop.includes(kw)) break;
      list.push(andOr());
    }
    return list;
  };

  const andOr = (): AndOr => {
    const first = pipeline();
    const rest: { op: '&&' | '||'; pipeline: Pipeline }[] = [];
    for (;;) {
      const tok = tokens[pos];
      if (tok?.t !== 'op' || (tok.op !== '&&' && tok.op !== '||')) break;
      pos++;
      skipSeparators();
      rest.push({ op: tok.op, pipeline: pipeline() });
    }
    return { first, rest };
  };

  const pipeline = (): Pipeline => {
    const commands: Command[] = [command()];
    while (tokens[pos]?.t === 'op' && (tokens[pos] as { op: string }).op === '|') {
      pos++;
      commands.push(command());
    }
    const tok = tokens[pos];
    const background = tok?.t === 'op' && tok.op === '&';
    if (background) pos++;
    return { commands, background };
  };

  const command = (): Command => {
    const kw = bare(tokens[pos]);
    if (kw === 'while' || kw === 'until') {
      pos++;
      const cond = script(['do']);
      expectWord('do');
      const body = script(['done']);
      expectWord('done');
      return { kind: 'while', until: kw === 'until', cond, body };
    }
    if (kw === 'for') {
      pos++;
      const name = bare(tokens[pos++]);
      if (!name) throw new ShellSyntaxError('bad for loop variable');
      const items: Word[] = [];
      if (bare(tokens[pos]) === 'in') {
        pos++;
        while (tokens[pos]?.t === 'word') items.push((tokens[pos++] as { word: Word }).word);
      }
      expectWord('do');
      const body = script(['done']);
      expectWord('done');
      return { kind: 'for', name, items, body };
    }
    if (kw === 'if') {
      pos++;
      const branches: { cond: Script; body: Script }[] = [];
      let otherwise: Script | undefined;
      for (;;) {
        const cond = script(['then']);
        expectWord('then');
        const body = script(['elif', 'else', 'fi']);
        branches.push({ cond, body });
        skipSeparators();
        const next = bare(tokens[pos++]);
        if (next === 'elif') continue;
        if (next === 'else') {
          otherwise = script(['fi']);
          expectWord('fi');
        } else if (next !== 'fi') throw new ShellSyntaxError('expected "fi"');
        break;
      }
      return { kind: 'if', branches, ...(otherwise ? { otherwise } : {}) };
    }
    if (kw !== undefined && reserved.has(kw)) throw new ShellSyntaxError(`unexpected "${kw}"`);
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const tok = tokens[pos];
      if (tok?.t === 'word') {
        words.push(tok.word);
        pos++;
      } else if (tok?.t === 'redir') {
        pos++;
        if (tok.dup) redirects.push({ fd: tok.fd, dup: tok.dup });
        else {
          const target = tokens[pos++];
          if (target?.t !== 'word') throw new ShellSyntaxError('missing redirection target');
          redirects.push({ fd: tok.fd, file: target.word, append: tok.append });
        }
      } else break;
    }
    if (words.length === 0 && redirects.length === 0) throw new ShellSyntaxError('unexpected operator');
    return { kind: 'simple', words, redirects };
  };

  const result = script([]);
  if (pos < tokens.length) throw new ShellSyntaxError('unexpected token');
  return result;
}
