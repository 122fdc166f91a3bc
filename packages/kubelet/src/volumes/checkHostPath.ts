import { mkdir, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

/**
 * Checks (and for the `…OrCreate` types creates) a hostPath volume's path as upstream's
 * `checkTypeInternal`. Throws a plain Error with upstream's message
 * (`hostPath type check failed: /x is not a directory`). An empty type checks nothing.
 */
export async function checkHostPath(path: string, type: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  const fail = (what: string): Error => new Error(`hostPath type check failed: ${path} is not ${what}`);
  const is = (test: (s: Stats) => boolean): boolean => info !== undefined && test(info);
  switch (type) {
    case '':
      return;
    case 'DirectoryOrCreate':
    case 'Directory':
      if (type === 'DirectoryOrCreate' && info === undefined) {
        await mkdir(path, { recursive: true, mode: 0o755 }).catch(rethrow);
        return;
      }
      if (!is((s) => s.isDirectory())) throw fail('a directory');
      return;
    case 'FileOrCreate':
    case 'File':
      if (type === 'FileOrCreate' && info === undefined) {
        const handle = await open(path, 'a', 0o644).catch(rethrow);
        await handle.close();
        return;
      }
      if (!is((s) => s.isFile())) throw fail('a file');
      return;
    case 'Socket':
      if (!is((s) => s.isSocket())) throw fail('a socket file');
      return;
    case 'CharDevice':
      if (!is((s) => s.isCharacterDevice())) throw fail('a character device');
      return;
    case 'BlockDevice':
      if (!is((s) => s.isBlockDevice())) throw fail('a block device');
      return;
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}

/** Turns a Node fs error into upstream's Go-style message (`mkdir /x: permission denied`). */
function rethrow(err: unknown): never {
  const e = err as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    ENOTDIR: 'not a directory',
    EEXIST: 'file exists',
  };
  throw new Error(`${e.syscall ?? 'open'} ${e.path ?? ''}: ${why[e.code ?? ''] ?? e.message}`);
}
