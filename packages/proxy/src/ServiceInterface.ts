import { execFile } from 'node:child_process';

import { ApiError, silentLogger, type Logger } from '@tugboat/core';

/** Options of a {@link ServiceInterface}. */
export interface ServiceInterfaceOptions {
  /** The interface's name (default `tug-svc0`; at most 15 characters). */
  readonly name?: string;
  /** The iproute2 `ip` command (default `ip`, found on PATH, else in /usr/sbin or /sbin). */
  readonly ipCommand?: string;
  readonly logger?: Logger;
}

interface IpResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The network interface that holds a node's cluster IPs (upstream IPVS kube-proxy's `kube-ipvs0`):
 * a dummy interface, left down, whose `/32` addresses make the kernel treat each cluster IP as a
 * local address, so the proxy can listen on it and pods reach it through their route to the host.
 * Kernels without the dummy driver get a bridge without ports, which holds addresses the same way.
 * Managed with the iproute2 `ip` command; needs root (CAP_NET_ADMIN).
 */
export class ServiceInterface {
  /** The interface's name. */
  readonly name: string;
  private readonly logger: Logger;
  private ipCommand: string;
  private readonly fallbacks: string[];
  private readonly commandName: string;

  constructor(options: ServiceInterfaceOptions = {}) {
    this.name = options.name ?? 'tug-svc0';
    this.ipCommand = options.ipCommand ?? 'ip';
    this.commandName = this.ipCommand;
    this.fallbacks = options.ipCommand === undefined ? ['/usr/sbin/ip', '/sbin/ip'] : [];
    this.logger = (options.logger ?? silentLogger).child({ component: 'service-interface' });
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(this.name))
      throw new ApiError(
        'Invalid',
        `service interface name "${this.name}" is not a valid interface name (1-15 letters, digits, '_', '.', '-')`,
      );
  }

  /** Creates the interface unless it exists (left over from an earlier run, it is reused). */
  async ensure(): Promise<void> {
    if ((await this.ip(['-o', 'link', 'show', 'dev', this.name])).code === 0) return;
    let r = await this.ip(['link', 'add', this.name, 'type', 'dummy']);
    if (r.code !== 0 && /unknown device type/i.test(r.stderr)) {
      this.logger.info('no dummy interfaces in this kernel; a bridge without ports holds the cluster IPs', {
        interface: this.name,
      });
      r = await this.ip(['link', 'add', this.name, 'type', 'bridge']);
    }
    if (r.code !== 0 && !/file exists/i.test(r.stderr)) throw this.failure('create', r);
    this.logger.info('service interface created', { interface: this.name });
  }

  /** The IPv4 addresses on the interface (empty when it does not exist). */
  async addresses(): Promise<string[]> {
    const r = await this.ip(['-j', '-4', 'addr', 'show', 'dev', this.name]);
    if (r.code !== 0) {
      if (/does not exist|cannot find device/i.test(r.stderr)) return [];
      throw this.failure('list the addresses of', r);
    }
    const links = JSON.parse(r.stdout || '[]') as { addr_info?: { local?: string; family?: string }[] }[];
    return links.flatMap((l) => (l.addr_info ?? []).flatMap((a) => (a.local ? [a.local] : [])));
  }

  /** Adds `address/32`; adding one already there resolves. */
  async add(address: string): Promise<void> {
    const r = await this.ip(['addr', 'add', `${address}/32`, 'dev', this.name]);
    if (r.code !== 0 && !/already assigned|file exists/i.test(r.stderr))
      throw this.failure(`add ${address} to`, r);
  }

  /** Removes `address/32`; removing one that is not there resolves. */
  async delete(address: string): Promise<void> {
    const r = await this.ip(['addr', 'del', `${address}/32`, 'dev', this.name]);
    if (r.code !== 0 && !/not found|cannot assign|cannot find device|does not exist/i.test(r.stderr))
      throw this.failure(`remove ${address} from`, r);
  }

  /** Deletes the interface with its addresses; resolves when it is already gone. */
  async remove(): Promise<void> {
    const r = await this.ip(['link', 'del', this.name]);
    if (r.code !== 0 && !/cannot find device|does not exist/i.test(r.stderr)) throw this.failure('delete', r);
  }

  private failure(what: string, r: IpResult): ApiError {
    const detail = r.stderr.trim() || `exit code ${r.code}`;
    if (/operation not permitted|permission denied/i.test(detail))
      return new ApiError(
        'Forbidden',
        `cannot ${what} the service interface ${this.name}: this needs root (CAP_NET_ADMIN) (${detail})`,
      );
    return new ApiError('Internal', `cannot ${what} the service interface ${this.name}: ${detail}`);
  }

  private async ip(args: readonly string[]): Promise<IpResult> {
    for (;;) {
      try {
        return await run(this.ipCommand, args);
      } catch (err) {
        const next = this.fallbacks.shift();
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && next !== undefined) {
          // PATH without the sbin directories (a non-root shell's) still finds iproute2.
          this.ipCommand = next;
          continue;
        }
        throw new ApiError(
          'Unavailable',
          (err as NodeJS.ErrnoException).code === 'ENOENT'
            ? `cannot manage the service interface ${this.name}: the \`${this.commandName}\` command (iproute2) is not installed`
            : `cannot run \`${this.ipCommand}\` for the service interface ${this.name}: ${(err as Error).message}`,
        );
      }
    }
  }
}

// Resolves with the exit status; rejects only when the command cannot be run at all.
function run(command: string, args: readonly string[]): Promise<IpResult> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err === null) {
        resolve({ code: 0, stdout, stderr });
        return;
      }
      if (typeof err.code === 'number') resolve({ code: err.code, stdout, stderr });
      else if (err.killed) resolve({ code: -1, stdout, stderr: stderr || `${command} timed out` });
      else reject(Object.assign(new Error(err.message), { code: err.code }));
    });
  });
}
