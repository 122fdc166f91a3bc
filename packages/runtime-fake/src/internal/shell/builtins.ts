import { ExitNow } from '../Proc.js';
import { dataText, type Data, type Io, type Shell } from './Shell.js';

/** A command the interpreter knows: gets the shell, its arguments and streams; returns the exit status. */
export type Builtin = (sh: Shell, args: readonly string[], io: Io) => Promise<number> | number;

const sizeSuffix: Record<string, number> = { b: 512, k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 };

/** Parses busybox sizes: `200m`, `1k`, `512`. */
function size(text: string | undefined): number {
  const m = /^(\d+)([bkmg]?)$/i.exec(text ?? '');
  if (!m) return NaN;
  return Number(m[1]) * (m[2] ? (sizeSuffix[m[2].toLowerCase()] ?? 1) : 1);
}

function lines(text: string): string[] {
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

async function input(sh: Shell, io: Io, files: readonly string[]): Promise<Data | undefined> {
  if (files.length === 0 || files[0] === '-') return io.stdin ?? (sh.host.stdin ? await sh.host.stdin() : '');
  if (files[0] === '/dev/zero') return { zeros: Number.MAX_SAFE_INTEGER };
  if (files[0] === '/etc/hostname') return `${sh.host.hostname}\n`;
  return sh.host.files.get(files[0] as string);
}

function echo(args: readonly string[], io: Io): number {
  let newline = true;
  let escapes = false;
  let rest = args;
  while (rest[0] === '-n' || rest[0] === '-e') {
    if (rest[0] === '-n') newline = false;
    else escapes = true;
    rest = rest.slice(1);
  }
  let text = rest.join(' ');
  if (escapes) text = text.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
  io.out(text + (newline ? '\n' : ''));
  return 0;
}

function test(sh: Shell, args: readonly string[]): boolean {
  if (args[0] === '!') return !test(sh, args.slice(1));
  const [a = '', op, b = ''] = args;
  if (args.length === 1) return a !== '';
  if (args.length === 2) {
    if (a === '-n') return (op ?? '') !== '';
    if (a === '-z') return (op ?? '') === '';
    if (a === '-f' || a === '-e' || a === '-s')
      return sh.host.files.has(op ?? '') && (a !== '-s' || (sh.host.files.get(op ?? '') ?? '') !== '');
    if (a === '-d') return ['/', '/tmp', '/etc', '/bin'].includes(op ?? '');
  }
  const x = Number(a);
  const y = Number(b);
  switch (op) {
    case '=':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '-eq':
      return x === y;
    case '-ne':
      return x !== y;
    case '-lt':
      return x < y;
    case '-gt':
      return x > y;
    case '-le':
      return x <= y;
    case '-ge':
      return x >= y;
    case undefined:
    default:
      return false;
  }
}

/** The commands of the fake runtime's busybox subset. */
export const builtins: Readonly<Record<string, Builtin>> = {
  echo: (_sh, args, io) => echo(args, io),
  printf: (_sh, args, io) => {
    let i = 1;
    const text = (args[0] ?? '')
      .replace(/%[sd]/g, () => args[i++] ?? '')
      .replace(/\\n/g, '\n')
      .replace(/\\t/g, '\t');
    io.out(text);
    return 0;
  },
  true: () => 0,
  ':': () => 0,
  false: () => 1,
  exit: (sh, args) => {
    throw new ExitNow({ exitCode: args[0] === undefined ? sh.status : Number(args[0]) & 255 });
  },
  env: (sh, _args, io) => {
    io.out([...sh.vars].map(([k, v]) => `${k}=${v}\n`).join(''));
    return 0;
  },
  printenv: (sh, args, io) => {
    const value = sh.vars.get(args[0] ?? '');
    if (value === undefined) return 1;
    io.out(`${value}\n`);
    return 0;
  },
  export: (sh, args) => {
    for (const a of args) {
      const [name, ...value] = a.split('=');
      if (value.length > 0) sh.vars.set(name as string, value.join('='));
    }
    return 0;
  },
  unset: (sh, args) => {
    for (const a of args) sh.vars.delete(a);
    return 0;
  },
  pwd: (sh, _args, io) => {
    io.out(`${sh.cwd}\n`);
    return 0;
  },
  cd: (sh, args) => {
    sh.cwd = args[0] ?? '/root';
    return 0;
  },
  hostname: (sh, _args, io) => {
    io.out(`${sh.host.hostname}\n`);
    return 0;
  },
  whoami: (_sh, _args, io) => (io.out('root\n'), 0),
  id: (_sh, _args, io) => (io.out('uid=0(root) gid=0(root) groups=0(root)\n'), 0),
  uname: (_sh, _args, io) => (io.out('Linux\n'), 0),
  date: (sh, _args, io) => (io.out(`${new Date(sh.host.clock.now()).toUTCString()}\n`), 0),
  seq: (_sh, args, io) => {
    const n = args.map(Number);
    const [first, step, last] =
      n.length === 1
        ? [1, 1, n[0] ?? 0]
        : n.length === 2
          ? [n[0] ?? 1, 1, n[1] ?? 0]
          : [n[0] ?? 1, n[1] ?? 1, n[2] ?? 0];
    const out: string[] = [];
    for (let i = first; step > 0 ? i <= last : i >= last; i += step) out.push(`${i}\n`);
    io.out(out.join(''));
    return 0;
  },
  sleep: async (sh, args) => {
    sh.waits++;
    const arg = args[0] ?? '';
    if (arg === 'infinity') await sh.host.proc.wait();
    else await sh.host.proc.wait(Number(arg) * 1000 || 0);
    return 0;
  },
  wait: async (sh) => {
    sh.waits++;
    const left = sh.bgUntil - sh.host.clock.now();
    if (left > 0) await sh.host.proc.wait(left);
    return 0;
  },
  trap: (sh, args) => {
    const [action = '', ...signals] = args;
    if (!signals.some((s) => ['TERM', 'SIGTERM', '15'].includes(s))) return 0;
    const exit = /^\s*exit\s+(\d+)\s*;?\s*$/.exec(action);
    sh.host.proc.termAction =
      action === ''
        ? 'ignore'
        : action === '-'
          ? 'die'
          : exit
            ? { exitCode: Number(exit[1]) }
            : {
                handler: async () => {
                  await sh.runSource(action);
                },
              };
    return 0;
  },
  cat: async (sh, args, io) => {
    // Reading the process's own stdin: pass each chunk on as it arrives, as cat does.
    const live = sh.host.stdinStream;
    if ((args.length === 0 || args[0] === '-') && io.stdin === undefined && live !== undefined) {
      for await (const chunk of live()) io.out(chunk);
      return 0;
    }
    const data = await input(sh, io, args);
    if (data === undefined) {
      io.err(`cat: can't open '${args[0] ?? ''}': No such file or directory\n`);
      return 1;
    }
    io.out(data);
    return 0;
  },
  head: async (sh, args, io) => {
    const bytes = args[0] === '-c' ? size(args[1]) : NaN;
    const n = args[0] === '-n' ? Number(args[1]) : /^-\d+$/.test(args[0] ?? '') ? -Number(args[0]) : 10;
    const files = args.filter(
      (a, i) => !a.startsWith('-') && !(i > 0 && ['-c', '-n'].includes(args[i - 1] ?? '')),
    );
    const data = await input(sh, io, files);
    if (data === undefined) return 1;
    if (!Number.isNaN(bytes))
      io.out(typeof data === 'string' ? data.slice(0, bytes) : { zeros: Math.min(bytes, data.zeros) });
    else
      io.out(
        lines(dataText(data))
          .slice(0, n)
          .map((l) => `${l}\n`)
          .join(''),
      );
    return 0;
  },
  tail: async (sh, args, io) => {
    const data = await input(
      sh,
      io,
      args.filter((a) => !a.startsWith('-') && !/^\d+$/.test(a)),
    );
    if (data === undefined) return 1;
    if (typeof data !== 'string') {
      // No newline in NUL bytes: tail holds the whole stream in memory, as busybox does.
      sh.host.proc.allocate(data.zeros);
      io.out(data);
      return 0;
    }
    const n = args[0] === '-n' ? Number(args[1]) : 10;
    io.out(
      lines(data)
        .slice(-n)
        .map((l) => `${l}\n`)
        .join(''),
    );
    return 0;
  },
  wc: async (sh, args, io) => {
    const data = await input(
      sh,
      io,
      args.filter((a) => !a.startsWith('-')),
    );
    if (data === undefined) return 1;
    const text = typeof data === 'string' ? data : undefined;
    const count = args.includes('-l')
      ? lines(text ?? '').length
      : args.includes('-w')
        ? (text ?? '').split(/\s+/).filter(Boolean).length
        : typeof data === 'string'
          ? Buffer.byteLength(data)
          : data.zeros;
    io.out(`${count}\n`);
    return 0;
  },
  test: (sh, args) => (test(sh, args) ? 0 : 1),
  '[': (sh, args) => (test(sh, args[args.length - 1] === ']' ? args.slice(0, -1) : args) ? 0 : 1),
  touch: (sh, args) => {
    for (const f of args) if (!sh.host.files.has(f)) sh.host.files.set(f, '');
    return 0;
  },
  rm: (sh, args) => {
    for (const f of args.filter((a) => !a.startsWith('-'))) sh.host.files.delete(f);
    return 0;
  },
  mkdir: () => 0,
  httpd: async (sh) => {
    await sh.host.proc.wait();
    return 0;
  },
  sh: async (sh, args, io) => {
    if (args[0] === '-c') return sh.subshell(args[1] ?? '', [args[2] ?? 'sh', ...args.slice(3)], io);
    const script = dataText(await input(sh, io, []));
    return sh.subshell(script, ['sh'], io);
  },
};

(builtins as Record<string, Builtin>)['ash'] = builtins['sh'] as Builtin;
