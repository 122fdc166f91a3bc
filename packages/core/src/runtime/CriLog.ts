/** One line of a container log file in CRI format: `<RFC3339Nano> <stdout|stderr> <F|P> <content>`. */
export interface CriLogLine {
  /** The timestamp exactly as written (RFC 3339 with up to nanosecond precision). */
  readonly time: string;
  readonly stream: 'stdout' | 'stderr';
  /** `F` ends a line; `P` is a partial line continued by the next entry of the same stream. */
  readonly tag: 'F' | 'P';
  /** The text without its trailing newline. */
  readonly content: string;
}

const linePattern = /^(\S+) (stdout|stderr) (F|P) (.*)$/s;

/**
 * Formats one CRI log line (with its trailing newline). `time` is a Date or milliseconds since the
 * epoch, written with nanosecond precision as containerd does.
 */
export function formatCriLogLine(
  time: Date | number,
  stream: 'stdout' | 'stderr',
  content: string,
  tag: 'F' | 'P' = 'F',
): string {
  const iso = new Date(time).toISOString(); // 2026-11-27T05:06:07.123Z
  return `${iso.slice(0, -1)}000000Z ${stream} ${tag} ${content}\n`;
}

/** Parses one CRI log line (with or without its newline); `undefined` when it is not one. */
export function parseCriLogLine(line: string): CriLogLine | undefined {
  const m = linePattern.exec(line.endsWith('\n') ? line.slice(0, -1) : line);
  if (!m) return undefined;
  const [, time, stream, tag, content] = m;
  if (time === undefined || Number.isNaN(Date.parse(time))) return undefined;
  return {
    time,
    stream: stream as CriLogLine['stream'],
    tag: tag as CriLogLine['tag'],
    content: content ?? '',
  };
}

/**
 * Parses a whole CRI log file's text into lines, joining `P` entries with the entry that completes
 * them; lines that do not parse are skipped.
 */
export function parseCriLog(text: string): CriLogLine[] {
  const out: CriLogLine[] = [];
  const pending = { stdout: '', stderr: '' };
  for (const raw of text.split('\n')) {
    const line = parseCriLogLine(raw);
    if (!line) continue;
    if (line.tag === 'P') {
      pending[line.stream] += line.content;
      continue;
    }
    out.push({ ...line, content: pending[line.stream] + line.content });
    pending[line.stream] = '';
  }
  return out;
}
