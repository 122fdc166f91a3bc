import { request as httpsRequest } from 'node:https';

import {
  ApiError,
  realClock,
  resources,
  silentLogger,
  type ApiClient,
  type Clock,
  type corev1,
  type Logger,
} from '@tugboat/core';

import { kubeletAddress, kubeletTlsOptions, type KubeletClientTls } from '../http/kubeletConnection.js';
import type { MetricsSource, NodeUsage, PodUsage } from './MetricsSource.js';
import { summaryUsage, type CpuReading, type SummaryFigures } from './summaryUsage.js';

/** Options of a {@link KubeletSummarySource}. */
export interface KubeletSummarySourceOptions extends KubeletClientTls {
  /** Lists the nodes to scrape (an admin in-process client). */
  readonly client: ApiClient;
  /** How long one scrape of every node is reused (default 15 s, metrics-server's resolution). */
  readonly resolutionMs?: number;
  /** How long one kubelet may take to answer before its node counts as missing (default 5 s). */
  readonly nodeTimeoutMs?: number;
  /** Largest summary accepted from one kubelet (default 16 MiB). */
  readonly maxSummaryBytes?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

interface Batch {
  readonly atMs: number;
  readonly nodes: NodeUsage[];
  readonly pods: PodUsage[];
}

/**
 * The {@link MetricsSource} that scrapes every node's kubelet `/stats/summary` over mutual TLS, as
 * metrics-server does: all nodes in parallel, each within its own deadline (a dead or slow node is
 * left out, never waited for), the result reused for one resolution period, concurrent readers
 * sharing one scrape. CPU counters become rates across scrapes when the kubelet gives no rate.
 */
export class KubeletSummarySource implements MetricsSource {
  private readonly clock: Clock;
  private readonly log: Logger;
  private batch: Batch | undefined;
  private inFlight: Promise<Batch> | undefined;
  private readonly readings = new Map<string, ReadonlyMap<string, CpuReading>>();

  constructor(private readonly options: KubeletSummarySourceOptions) {
    this.clock = options.clock ?? realClock;
    this.log = (options.logger ?? silentLogger).child({ component: 'metrics-scraper' });
  }

  async nodes(): Promise<readonly NodeUsage[]> {
    return (await this.current()).nodes;
  }

  async pods(): Promise<readonly PodUsage[]> {
    return (await this.current()).pods;
  }

  private current(): Promise<Batch> {
    const resolution = this.options.resolutionMs ?? 15_000;
    if (this.batch !== undefined && this.clock.now() - this.batch.atMs < resolution)
      return Promise.resolve(this.batch);
    this.inFlight ??= this.scrape().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async scrape(): Promise<Batch> {
    const atMs = this.clock.now();
    const nodes = (await this.options.client.list(resources.Nodes)).items;
    const results = await Promise.all(nodes.map((node) => this.scrapeNode(node)));
    const batch: Batch = { atMs, nodes: [], pods: [] };
    const names = new Set<string>();
    for (const r of results) {
      if (r === undefined) continue;
      names.add(r.name);
      if (r.node !== undefined) batch.nodes.push(r.node);
      batch.pods.push(...r.pods);
    }
    // Counters of nodes gone from the cluster would otherwise be kept forever.
    for (const name of [...this.readings.keys()])
      if (!nodes.some((n) => n.metadata?.name === name)) this.readings.delete(name);
    this.batch = batch;
    this.log.debug('scraped kubelets', {
      nodes: nodes.length,
      answered: names.size,
      pods: batch.pods.length,
    });
    return batch;
  }

  private async scrapeNode(
    node: corev1.Node,
  ): Promise<{ name: string; node?: NodeUsage; pods: PodUsage[] } | undefined> {
    const name = node.metadata?.name ?? '';
    try {
      const summary = await this.fetchSummary(node);
      const resolution = this.options.resolutionMs ?? 15_000;
      const usage = summaryUsage(summary, name, this.readings.get(name) ?? new Map(), resolution);
      this.readings.set(name, usage.readings);
      return { name, ...(usage.node !== undefined ? { node: usage.node } : {}), pods: usage.pods };
    } catch (err) {
      this.log.debug('node left out of metrics', { node: name, err: String(err) });
      return undefined;
    }
  }

  /** GETs `/stats/summary` from the node's kubelet; rejects on any failure or at the deadline. */
  private fetchSummary(node: corev1.Node): Promise<SummaryFigures> {
    const { host, port } = kubeletAddress(node);
    const timeoutMs = this.options.nodeTimeoutMs ?? 5_000;
    const limit = this.options.maxSummaryBytes ?? 16 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const req = httpsRequest({
        host,
        port,
        path: '/stats/summary',
        method: 'GET',
        headers: { Accept: 'application/json' },
        ...kubeletTlsOptions(this.options),
        agent: false,
      });
      // One deadline for the whole exchange: connect, head and body.
      const timer = this.clock.setTimeout(() => {
        req.destroy(new ApiError('Timeout', `kubelet ${host}:${port} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const fail = (err: unknown): void => {
        this.clock.clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) req.destroy(new ApiError('RequestEntityTooLarge', 'kubelet summary too large'));
          else chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('end', () => {
          this.clock.clearTimeout(timer);
          if (res.statusCode !== 200) {
            reject(new ApiError('Unavailable', `kubelet ${host}:${port} answered ${res.statusCode ?? 0}`));
            return;
          }
          try {
            const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString());
            if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
            resolve(parsed);
          } catch (err) {
            reject(
              new ApiError('Internal', `kubelet ${host}:${port} sent a malformed summary: ${String(err)}`),
            );
          }
        });
      });
      req.end();
    });
  }
}
