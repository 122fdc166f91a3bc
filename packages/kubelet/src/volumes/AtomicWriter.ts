import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';

/** One file of a volume's payload: its bytes and permission bits. */
export interface FileProjection {
  readonly data: Buffer;
  readonly mode: number;
}

/** A volume's files by relative path. */
export type Payload = ReadonlyMap<string, FileProjection>;

const dataDirName = '..data';
const newDataDirName = '..data_tmp';
const maxFileNameLength = 255;
const maxPathLength = 4096;

/**
 * Checks a payload path as upstream's AtomicWriter `validatePath`; returns its message or
 * `undefined` when the path is fine.
 */
export function payloadPathProblem(path: string): string | undefined {
  if (path === '') return `invalid path: must not be empty: ""`;
  if (path.startsWith('/')) return `invalid path: must be relative path: ${path}`;
  if (path.length > maxPathLength)
    return `invalid path: must be less than or equal to ${maxPathLength} characters`;
  const items = path.split('/');
  for (const item of items) {
    if (item === '..') return `invalid path: must not contain '..': ${path}`;
    if (item.length > maxFileNameLength)
      return `invalid path: filenames must be less than or equal to ${maxFileNameLength} characters`;
  }
  const first = items[0] ?? '';
  if (first.startsWith('..') && first.length > 2) return `invalid path: must not start with '..': ${path}`;
  return undefined;
}

/**
 * Writes a volume's files so that a reader never sees a half-written set, as upstream's
 * AtomicWriter: the files go into a fresh `..<timestamp>` directory, a `..data` symlink is swapped
 * to it by rename (atomic), and each top-level name is a symlink through `..data`. Returns false
 * when the content on disk already matched (nothing written). Throws a plain Error with upstream's
 * message for a bad path.
 */
export async function writeAtomically(targetDir: string, payload: Payload, now: number): Promise<boolean> {
  const clean = new Map<string, FileProjection>();
  for (const [path, file] of payload) {
    const problem = payloadPathProblem(path);
    if (problem !== undefined) throw new Error(problem);
    clean.set(posix.normalize(path).replace(/\/$/, ''), file);
  }
  await mkdir(targetDir, { recursive: true });
  const oldTsName = await readlink(join(targetDir, dataDirName)).catch(() => undefined);
  const oldTsDir = oldTsName !== undefined ? join(targetDir, oldTsName) : undefined;
  const userVisible = new Set([...clean.keys()].map((p) => p.split('/')[0] ?? p));

  if (oldTsDir === undefined || !(await matches(oldTsDir, clean))) {
    const tsDir = await mkdtemp(join(targetDir, `..${stamp(now)}.`));
    // Readable through the tree whatever the process umask.
    await chmod(tsDir, 0o755);
    for (const [path, file] of clean) {
      const full = join(tsDir, path);
      await mkdir(dirname(full), { recursive: true, mode: 0o755 });
      await writeFile(full, file.data);
      await chmod(full, file.mode & 0o7777);
    }
    const tmpLink = join(targetDir, newDataDirName);
    await unlink(tmpLink).catch(() => undefined);
    await symlink(posix.basename(tsDir), tmpLink);
    await rename(tmpLink, join(targetDir, dataDirName));
    await removeStaleNames(targetDir, userVisible);
    await createUserVisible(targetDir, userVisible);
    if (oldTsDir !== undefined) await rm(oldTsDir, { recursive: true, force: true });
    return true;
  }
  await createUserVisible(targetDir, userVisible);
  return false;
}

async function createUserVisible(targetDir: string, names: ReadonlySet<string>): Promise<void> {
  for (const name of names) {
    const link = join(targetDir, name);
    const current = await readlink(link).catch(() => undefined);
    if (current === posix.join(dataDirName, name)) continue;
    await rm(link, { recursive: true, force: true });
    await symlink(posix.join(dataDirName, name), link);
  }
}

async function removeStaleNames(targetDir: string, keep: ReadonlySet<string>): Promise<void> {
  for (const entry of await readdir(targetDir)) {
    if (entry.startsWith('..') || keep.has(entry)) continue;
    await rm(join(targetDir, entry), { recursive: true, force: true });
  }
}

/** Whether `dir` holds exactly the payload's files with the same bytes and modes. */
async function matches(dir: string, payload: ReadonlyMap<string, FileProjection>): Promise<boolean> {
  const existing = await listFiles(dir).catch(() => undefined);
  if (existing === undefined || existing.length !== payload.size) return false;
  for (const path of existing) {
    const want = payload.get(path);
    if (want === undefined) return false;
    const full = join(dir, path);
    const [data, info] = await Promise.all([readFile(full), stat(full)]);
    if (!data.equals(want.data) || (info.mode & 0o7777) !== (want.mode & 0o7777)) return false;
  }
  return true;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out;
}

/** Upstream's timestamp directory prefix, `2006_01_02_15_04_05` in UTC. */
function stamp(now: number): string {
  const d = new Date(now);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}`;
}
