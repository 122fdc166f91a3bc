import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';

import { waitForEtcdHealth } from './waitForEtcdHealth.js';

/** How to run one etcd member: its name, ports, data directory and the cluster it belongs to. */
export interface EtcdMemberSpec {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  /** `name=http://127.0.0.1:peerPort` for every member. */
  readonly initialCluster: string;
  readonly clusterToken: string;
  /** The etcd binary; default `$ETCD_BIN`, else `etcd` on the PATH. */
  readonly binary?: string;
  /** Extra command-line flags. */
  readonly extraArgs?: readonly string[];
  /** Serve clients over TLS with these files; health is then polled on `metricsPort` over plain HTTP. */
  readonly tls?: EtcdServerTls;
  /** Plain-HTTP port for `/health` and `/metrics` (required with `tls`). */
  readonly metricsPort?: number;
}

/** Server-side TLS files for an etcd member's client port. */
export interface EtcdServerTls {
  readonly certFile: string;
  readonly keyFile: string;
  /** CA for client certificates; with it, etcd requires one (`--client-cert-auth`). */
  readonly clientCaFile?: string;
}

/** Every etcd this process spawned and has not seen exit: killed if the test process exits first. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * One etcd server process on loopback ports with its own data directory. It can be stopped
 * (SIGTERM), killed (SIGKILL) and started again on the same ports and data, which is what fault
 * tests need. Output goes to `etcd.log` beside the data directory.
 */
export class EtcdProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly spec: EtcdMemberSpec) {}

  /** `127.0.0.1:clientPort`. */
  get endpoint(): string {
    return `127.0.0.1:${this.spec.clientPort}`;
  }

  /** The OS process id while running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** Spawns etcd; with `waitHealthy` (default) resolves once it serves (has a leader). */
  async start(waitHealthy = true): Promise<void> {
    if (this.child) return;
    const { spec } = this;
    const peer = `http://127.0.0.1:${spec.peerPort}`;
    const client = `${spec.tls ? 'https' : 'http'}://127.0.0.1:${spec.clientPort}`;
    const tlsArgs = spec.tls
      ? [
          '--cert-file',
          spec.tls.certFile,
          '--key-file',
          spec.tls.keyFile,
          ...(spec.tls.clientCaFile
            ? ['--trusted-ca-file', spec.tls.clientCaFile, '--client-cert-auth']
            : []),
        ]
      : [];
    const metricsArgs = spec.metricsPort
      ? ['--listen-metrics-urls', `http://127.0.0.1:${spec.metricsPort}`]
      : [];
    const args = [
      '--name',
      spec.name,
      '--data-dir',
      spec.dataDir,
      '--listen-client-urls',
      client,
      '--advertise-client-urls',
      client,
      '--listen-peer-urls',
      peer,
      '--initial-advertise-peer-urls',
      peer,
      '--initial-cluster',
      spec.initialCluster,
      '--initial-cluster-state',
      'new',
      '--initial-cluster-token',
      spec.clusterToken,
      '--logger',
      'zap',
      '--log-level',
      'warn',
      ...tlsArgs,
      ...metricsArgs,
      ...(spec.extraArgs ?? []),
    ];
    const log = openSync(path.join(path.dirname(spec.dataDir), `${spec.name}.log`), 'a');
    const child = spawn(spec.binary ?? process.env['ETCD_BIN'] ?? 'etcd', args, {
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    live.add(child);
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        live.delete(child);
        if (this.child === child) this.child = undefined;
        resolve();
      });
      child.once('error', () => {
        live.delete(child);
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
    if (waitHealthy) await this.waitHealthy();
  }

  /** Resolves when the member answers `/health` with a leader; fails if it exits or 30 s pass. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    await waitForEtcdHealth(this.healthUrl, timeoutMs, () => this.child === undefined);
  }

  /** Plain-HTTP base URL serving `/health` and `/metrics`. */
  get healthUrl(): string {
    return this.spec.metricsPort ? `http://127.0.0.1:${this.spec.metricsPort}` : `http://${this.endpoint}`;
  }

  /** Graceful stop (SIGTERM); the data directory is kept. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** Hard kill (SIGKILL), as a crash; the data directory is kept. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Freezes the process (SIGSTOP): it keeps its sockets open but answers nothing, like a hung server. */
  pause(): Promise<void> {
    this.child?.kill('SIGSTOP');
    return Promise.resolve();
  }

  /** Thaws a {@link pause}d process (SIGCONT). */
  resume(): Promise<void> {
    this.child?.kill('SIGCONT');
    return Promise.resolve();
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill(sig);
    // A frozen process only acts on SIGTERM once thawed.
    child.kill('SIGCONT');
    await this.exited;
  }
}
