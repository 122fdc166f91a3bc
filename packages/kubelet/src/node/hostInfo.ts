import { readFile, statfs } from 'node:fs/promises';
import { arch, cpus, platform, release, totalmem } from 'node:os';

/** What the node agent reads from the machine it runs on, once at start. */
export interface HostInfo {
  /** `cpu`, `memory`, `pods`, `ephemeral-storage`, as Kubernetes quantities. */
  readonly capacity: Readonly<Record<string, string>>;
  /** GOOS-style name: `linux`, `darwin`, `windows`. */
  readonly operatingSystem: string;
  /** GOARCH-style name: `amd64`, `arm64`, … */
  readonly architecture: string;
  readonly machineID: string;
  readonly systemUUID: string;
  readonly bootID: string;
  readonly kernelVersion: string;
  readonly osImage: string;
}

// Go's names for Node's process.arch values, as kubectl and node selectors expect them.
const goArch: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** The GOARCH name of a Node.js `process.arch` value (unknown values pass through). */
export function goArchOf(nodeArch: string): string {
  return goArch[nodeArch] ?? nodeArch;
}

/** The GOOS name of a Node.js `process.platform` value. */
export function goOsOf(nodePlatform: string): string {
  return nodePlatform === 'win32' ? 'windows' : nodePlatform;
}

/** The value of `PRETTY_NAME` in an os-release file's text, if any. */
export function prettyName(osRelease: string): string | undefined {
  const line = /^PRETTY_NAME=(.*)$/m.exec(osRelease)?.[1]?.trim();
  if (line === undefined) return undefined;
  return line.replace(/^(["'])(.*)\1$/, '$2');
}

async function readTrimmed(path: string): Promise<string> {
  return (await readFile(path, 'utf8').catch(() => '')).trim();
}

async function ephemeralStorageKi(dirs: readonly string[]): Promise<number | undefined> {
  for (const dir of dirs) {
    try {
      const s = await statfs(dir);
      return Math.floor((s.blocks * s.bsize) / 1024);
    } catch {
      // The kubelet's root directory may not exist yet: fall back to the next candidate.
    }
  }
  return undefined;
}

/**
 * Reads capacity and system information from this machine: cpus, memory, the size of the
 * filesystem holding `rootDir` (or `/`), machine and boot ids, kernel and OS image. Anything
 * unreadable is left empty rather than failing registration.
 */
export async function readHostInfo(rootDir?: string): Promise<HostInfo> {
  const [storageKi, machineID, systemUUID, bootID, osRelease] = await Promise.all([
    ephemeralStorageKi(rootDir === undefined ? ['/'] : [rootDir, '/']),
    readTrimmed('/etc/machine-id'),
    readTrimmed('/sys/class/dmi/id/product_uuid'),
    readTrimmed('/proc/sys/kernel/random/boot_id'),
    readFile('/etc/os-release', 'utf8').catch(() => ''),
  ]);
  const capacity: Record<string, string> = {
    cpu: String(Math.max(1, cpus().length)),
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: '110',
  };
  if (storageKi !== undefined) capacity['ephemeral-storage'] = `${storageKi}Ki`;
  return {
    capacity,
    operatingSystem: goOsOf(platform()),
    architecture: goArchOf(arch()),
    machineID,
    systemUUID,
    bootID,
    kernelVersion: release(),
    osImage: prettyName(osRelease) ?? '',
  };
}
