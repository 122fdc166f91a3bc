import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The tag of the locally built etcd image. */
export const etcdImageRef = 'tugboat/etcd:3.4.23';

/** The Docker socket tests use: `$DOCKER_HOST`, else Tugboat's private engine (scripts/dockerd.sh). */
export function dockerHost(): string {
  return process.env['DOCKER_HOST'] ?? 'unix:///run/tugboat/docker/docker.sock';
}

/**
 * Builds the etcd image from the host's etcd binary (Debian's etcd-server) unless it exists: a root
 * filesystem holding /usr/bin/etcd and the shared libraries `ldd` names, imported with
 * `docker import` and `ENTRYPOINT ["/usr/bin/etcd"]`. No registry is involved. Idempotent.
 */
export async function buildEtcdImage(
  options: { host?: string; binary?: string; ref?: string } = {},
): Promise<string> {
  const host = options.host ?? dockerHost();
  const ref = options.ref ?? etcdImageRef;
  try {
    await run('docker', ['-H', host, 'image', 'inspect', ref]);
    return ref;
  } catch {
    // Not built yet.
  }
  const binary =
    options.binary ?? process.env['ETCD_BIN'] ?? (await run('sh', ['-c', 'command -v etcd'])).stdout.trim();
  const root = await mkdtemp(path.join(tmpdir(), 'tug-etcd-rootfs-'));
  try {
    const files = [binary, ...(await sharedLibraries(binary))];
    for (const file of files) {
      const target = path.join(root, file === binary ? '/usr/bin/etcd' : file);
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(file, target);
    }
    await mkdir(path.join(root, 'tmp'), { recursive: true });
    await mkdir(path.join(root, 'data'), { recursive: true });
    await new Promise<void>((resolve, reject) => {
      const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const imp = spawn('docker', ['-H', host, 'import', '-c', 'ENTRYPOINT ["/usr/bin/etcd"]', '-', ref], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let stderr = '';
      imp.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      tar.stdout.pipe(imp.stdin);
      imp.once('error', reject);
      imp.once('exit', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`docker import ${ref} failed: ${stderr.trim()}`));
      });
    });
    return ref;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** The absolute paths of the shared libraries a binary loads (none for a static binary). */
async function sharedLibraries(binary: string): Promise<string[]> {
  let out: string;
  try {
    out = (await run('ldd', [binary])).stdout;
  } catch {
    return []; // "not a dynamic executable"
  }
  const libs = new Set<string>();
  for (const line of out.split('\n')) {
    const m = /(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.add(m[1]);
  }
  return [...libs];
}
