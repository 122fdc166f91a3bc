import { readFile } from 'node:fs/promises';

import { parseResolvConf, type Logger, type PodDnsConfig, type corev1 } from '@tugboat/core';

import { podDnsConfig, type PodDnsResult } from './podDnsConfig.js';

/** The kubelet's DNS options (upstream's `--cluster-dns`, `--cluster-domain`, `--resolv-conf`). */
export interface PodDnsOptions {
  readonly clusterDns?: readonly string[];
  readonly clusterDomain?: string;
  readonly resolvConf?: string;
  readonly log: Logger;
}

/**
 * Computes pods' resolver configurations ({@link podDnsConfig}) with the node's settings; the
 * host's resolv.conf is read once, on first use, so a change to it reaches pods created after the
 * kubelet restarts.
 */
export class PodDns {
  private host: Promise<PodDnsConfig | undefined> | undefined;

  constructor(private readonly options: PodDnsOptions) {}

  /** The resolver configuration of `pod`'s sandbox, and the warnings to report on the pod. */
  async forPod(pod: corev1.Pod): Promise<PodDnsResult> {
    this.host ??= this.readHost();
    return podDnsConfig(pod, {
      clusterDns: this.options.clusterDns ?? [],
      clusterDomain: this.options.clusterDomain ?? 'cluster.local',
      host: await this.host,
    });
  }

  private async readHost(): Promise<PodDnsConfig | undefined> {
    const path = this.options.resolvConf ?? '/etc/resolv.conf';
    if (path === '') return undefined;
    try {
      return parseResolvConf(await readFile(path, 'utf8'));
    } catch (err) {
      // Empty settings leave the runtime's default in place: it copies the host's own file.
      this.options.log.warn('cannot read the resolver configuration; pods get the runtime default', {
        path,
        err: String(err),
      });
      return { servers: [], searches: [], options: [] };
    }
  }
}
