/** A piece of a shell word, with how it was quoted (quoting decides expansion and splitting). */
export interface WordPart {
  readonly text: string;
  readonly quote: 'none' | 'single' | 'double';
}

/** A shell word: adjacent parts with no space between them. */
export type Word = readonly WordPart[];

/** An output redirection: `>&2`, `2>&1`, `> file`, `>> file`. */
export type Redirect =
  | { readonly fd: 1 | 2; readonly dup: 1 | 2 }
  | { readonly fd: 1 | 2; readonly file: Word; readonly append: boolean };

/** A command with its words (expanded when run) and redirections. */
export interface SimpleCommand {
  readonly kind: 'simple';
  readonly words: readonly Word[];
  readonly redirects: readonly Redirect[];
}

/** `while`/`until` loops. */
export interface WhileCommand {
  readonly kind: 'while';
  readonly until: boolean;
  readonly cond: Script;
  readonly body: Script;
}

/** `for NAME in WORDS; do …; done`. */
export interface ForCommand {
  readonly kind: 'for';
  readonly name: string;
  readonly items: readonly Word[];
  readonly body: Script;
}

/** `if …; then …; elif …; then …; else …; fi`. */
export interface IfCommand {
  readonly kind: 'if';
  readonly branches: readonly { readonly cond: Script; readonly body: Script }[];
  readonly otherwise?: Script;
}

/** Any command the interpreter runs. */
export type Command = SimpleCommand | WhileCommand | ForCommand | IfCommand;

/** Commands joined by `|`, optionally run in the background (`&`). */
export interface Pipeline {
  readonly commands: readonly Command[];
  readonly background: boolean;
}

/** Pipelines joined by `&&` and `||`. */
export interface AndOr {
  readonly first: Pipeline;
  readonly rest: readonly { readonly op: '&&' | '||'; readonly pipeline: Pipeline }[];
}

/** A list of and-or lists, run in order. */
export type Script = readonly AndOr[];
