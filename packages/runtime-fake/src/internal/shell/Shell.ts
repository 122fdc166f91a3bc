import type { FakeClock } from '../../FakeClock.js';
import { ExitNow, type Proc } from '../Proc.js';
import type { AndOr, Command, Pipeline, Script, SimpleCommand, Word } from './ast.js';
import { builtins } from './builtins.js';
import { parseScript, ShellSyntaxError } from './parse.js';

/** Bytes flowing between commands: text, or a count of NUL bytes (so `head -c 200m /dev/zero` stays cheap). */
export type Data = string | { readonly zeros: number };

/** Where a command's output goes. */
export type Sink = (data: Data) => void;

/** A command's streams. */
export interface Io {
  readonly out: Sink;
  readonly err: Sink;
  /** Piped input, when the command is not first in a pipeline. */
  readonly stdin: Data | undefined;
}

/** What a shell shares with its container: the process, files, clock, and where output ends up. */
export interface ShellHost {
  readonly proc: Proc;
  readonly clock: FakeClock;
  /** The container's small in-memory filesystem (written by `>`, read by `cat`, `test -f`). */
  readonly files: Map<string, string>;
  readonly hostname: string;
  /** The process's stdin, read in full (an exec's, or what attached clients sent until closed). */
  readonly stdin?: () => Promise<string>;
  /** The same stdin chunk by chunk as it arrives (`cat` passes it on as it comes); read one or the other. */
  readonly stdinStream?: () => AsyncIterable<string>;
  readonly write: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** Text of data, with NUL runs capped so a huge virtual stream never becomes a huge string. */
export function dataText(data: Data | undefined): string {
  if (data === undefined) return '';
  return typeof data === 'string' ? data : '\0'.repeat(Math.min(data.zeros, 1 << 20));
}

const quietCommands = new Set(['sleep', 'wait', ':', 'true']);
const varPattern = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|([?$#0-9]))/g;

/**
 * The fake runtime's interpreter for a small subset of busybox `sh`: simple commands with
 * quoting and `$VAR` expansion, `;`, `&&`, `||`, pipes, `>`, `>>`, `>&2`, `2>&1`, `while`/`until`,
 * `for`, `if`, `trap`, and `sleep N &` + `wait`. The commands it knows are in `builtins.ts`.
 */
export class Shell {
  status = 0;
  bgUntil = 0;
  waits = 0;

  constructor(
    readonly host: ShellHost,
    readonly vars: Map<string, string>,
    public cwd: string,
    readonly positional: readonly string[] = ['sh'],
  ) {}

  /** The streams that write to the container's log (or the exec's output). */
  get topIo(): Io {
    return {
      out: (d) => {
        this.host.write('stdout', dataText(d));
      },
      err: (d) => {
        this.host.write('stderr', dataText(d));
      },
      stdin: undefined,
    };
  }

  /** Runs a command vector directly (as a container's entrypoint or an exec). */
  async runArgv(argv: readonly string[]): Promise<number> {
    return this.runCommandLine(argv, this.topIo);
  }

  /** Parses and runs `src`; a syntax error is reported on stderr with status 2, as sh does. */
  async runSource(src: string, io: Io = this.topIo): Promise<number> {
    let script: Script;
    try {
      script = parseScript(src);
    } catch (err) {
      if (!(err instanceof ShellSyntaxError)) throw err;
      io.err(`sh: syntax error: ${err.message}\n`);
      return (this.status = 2);
    }
    return this.script(script, io);
  }

  /** Runs an already expanded command line. */
  async runCommandLine(argv: readonly string[], io: Io): Promise<number> {
    const name = (argv[0] ?? '').split('/').pop() ?? '';
    const impl = builtins[name];
    if (!impl) {
      io.err(`sh: ${argv[0] ?? ''}: not found\n`);
      return (this.status = 127);
    }
    return (this.status = await impl(this, argv.slice(1), io));
  }

  async script(script: Script, io: Io): Promise<number> {
    for (const item of script) await this.andOr(item, io);
    return this.status;
  }

  private async andOr(item: AndOr, io: Io): Promise<void> {
    await this.pipeline(item.first, io);
    for (const { op, pipeline } of item.rest) {
      if ((op === '&&') === (this.status === 0)) await this.pipeline(pipeline, io);
    }
  }

  private async pipeline(p: Pipeline, io: Io): Promise<void> {
    const [only] = p.commands;
    if (p.background && p.commands.length === 1 && only?.kind === 'simple') {
      const argv = this.expandAll(only.words);
      if (argv[0] === 'sleep') {
        // Only `sleep N &` runs in the background; `wait` then waits for it.
        const seconds = Number(argv[1] ?? '0');
        this.bgUntil = Math.max(
          this.bgUntil,
          this.host.clock.now() + (Number.isFinite(seconds) ? seconds * 1000 : 0),
        );
        this.status = 0;
        return;
      }
    }
    let input: Data | undefined = io.stdin;
    for (let i = 0; i < p.commands.length; i++) {
      const command = p.commands[i] as Command;
      const last = i === p.commands.length - 1;
      let captured: Data = '';
      const out: Sink = last
        ? io.out
        : (d) => {
            captured =
              typeof d !== 'string'
                ? d
                : typeof captured === 'string'
                  ? captured + d
                  : dataText(captured) + d;
          };
      await this.command(command, { out, err: io.err, stdin: input });
      input = captured;
    }
  }

  private async command(c: Command, io: Io): Promise<void> {
    if (c.kind === 'simple') return this.simple(c, io);
    if (c.kind === 'if') {
      for (const branch of c.branches) {
        await this.script(branch.cond, io);
        if (this.status === 0) {
          await this.script(branch.body, io);
          return;
        }
      }
      this.status = 0;
      if (c.otherwise) await this.script(c.otherwise, io);
      return;
    }
    if (c.kind === 'for') {
      for (const item of c.items.flatMap((w) => this.expand(w))) {
        this.vars.set(c.name, item);
        await this.script(c.body, io);
      }
      return;
    }
    if (!c.until && isQuiet(c.cond) && isQuiet(c.body)) {
      // `while :; do sleep 1; done` just idles: wait for a signal with no timer at all. A trap
      // handler ends the wait; the loop then goes on idling, as sh's loop would.
      for (;;) await this.host.proc.wait();
    }
    for (let rounds = 0; ; rounds++) {
      const waitsBefore = this.waits;
      await this.script(c.cond, io);
      if ((this.status === 0) === c.until) break;
      await this.script(c.body, io);
      // A loop that never waits would freeze the simulation; treat it as busy forever.
      if (this.waits === waitsBefore && rounds > 10_000) await this.host.proc.wait();
    }
    this.status = 0;
  }

  private async simple(c: SimpleCommand, io: Io): Promise<void> {
    let argv = this.expandAll(c.words);
    while (argv[0] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[0])) {
      const [name, ...value] = argv[0].split('=');
      this.vars.set(name as string, value.join('='));
      argv = argv.slice(1);
    }
    let { out, err } = io;
    const files: { path: string; append: boolean; text: string[] }[] = [];
    for (const r of c.redirects) {
      let sink: Sink;
      if ('dup' in r) sink = r.dup === 2 ? io.err : io.out;
      else {
        const path = this.expand(r.file).join(' ');
        const file = { path, append: r.append, text: [] as string[] };
        if (path !== '/dev/null') files.push(file);
        sink = (d) => void file.text.push(dataText(d));
      }
      if (r.fd === 1) out = sink;
      else err = sink;
    }
    if (argv.length === 0) this.status = 0;
    else await this.runCommandLine(argv, { out, err, stdin: io.stdin });
    for (const f of files) {
      this.host.files.set(f.path, (f.append ? (this.host.files.get(f.path) ?? '') : '') + f.text.join(''));
    }
  }

  /** Expands every word into fields. */
  expandAll(words: readonly Word[]): string[] {
    return words.flatMap((w) => this.expand(w));
  }

  /** Expands `$VAR`, `${VAR}`, `$?`, `$0`…`$9`; an all-unquoted word with a `$` is split on spaces. */
  expand(word: Word): string[] {
    let text = '';
    let split = true;
    const seen = { vars: false };
    for (const part of word) {
      if (part.quote === 'single') {
        text += part.text;
        split = false;
        continue;
      }
      if (part.quote === 'double') split = false;
      text += part.text.replace(varPattern, (_m, braced?: string, plain?: string, special?: string) => {
        seen.vars = true;
        const name = braced ?? plain;
        if (name !== undefined) return this.vars.get(name) ?? '';
        if (special === '?') return String(this.status);
        if (special === '$') return '1';
        if (special === '#') return String(Math.max(0, this.positional.length - 1));
        return this.positional[Number(special)] ?? '';
      });
    }
    if (split && seen.vars) return text.split(/\s+/).filter((f) => f !== '');
    return [text];
  }

  /** Runs `src` in a sub-shell (`sh -c`): its own variables; `exit` ends only the sub-shell. */
  async subshell(src: string, positional: readonly string[], io: Io): Promise<number> {
    const sub = new Shell(this.host, new Map(this.vars), this.cwd, positional);
    try {
      return await sub.runSource(src, io);
    } catch (err) {
      if (err instanceof ExitNow && err.info.reason === undefined) return err.info.exitCode;
      throw err;
    } finally {
      this.waits += sub.waits;
    }
  }
}

function isQuiet(script: Script): boolean {
  return script.every(
    (item) =>
      item.rest.length === 0 &&
      item.first.commands.every((c) => {
        if (c.kind !== 'simple' || c.redirects.length > 0) return false;
        const [w] = c.words;
        return w?.length === 1 && w[0]?.quote === 'none' && quietCommands.has(w[0].text);
      }),
  );
}
