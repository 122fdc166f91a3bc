import {
  ListWatchInformer,
  realClock,
  resources,
  silentLogger,
  type Clock,
  type corev1,
  type discoveryv1,
  type Logger,
} from '@tugboat/core';
import { merge, type Subscription } from 'rxjs';

import { ProxyMetrics } from './ProxyMetrics.js';
import type { ProxyOptions } from './ProxyOptions.js';
import { serviceNameLabel, serviceTable, type ServicePortEntry } from './internal/serviceTable.js';
import { TcpForwarder } from './internal/TcpForwarder.js';
import { UdpForwarder } from './internal/UdpForwarder.js';

type Forwarder = TcpForwarder | UdpForwarder;

const sliceIndex = 'byService';

/**
 * kube-proxy in user space, one per node: watches Services and EndpointSlices and, for every
 * service port, listens on its cluster IP (and, for NodePort and LoadBalancer Services, on the
 * node's address at the NodePort), forwarding TCP connections and UDP datagrams to ready endpoints
 * round-robin, with ClientIP session affinity. Cluster IPs come from 127.0.0.0/8 by default, where
 * Linux lets any process listen on any address without privileges or packet rewriting.
 * Changes are applied as soon as the informers see them.
 */
export class Proxy {
  /** The proxy's Prometheus metrics. */
  readonly metrics: ProxyMetrics;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly services: ListWatchInformer<corev1.Service>;
  private readonly slices: ListWatchInformer<discoveryv1.EndpointSlice>;
  private readonly forwarders = new Map<string, Forwarder>();
  private readonly failed = new Set<string>();
  private subscription: Subscription | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private dirty = false;
  private scheduled = false;
  private retry: ReturnType<Clock['setTimeout']> | undefined;
  private stopped = false;

  constructor(private readonly options: ProxyOptions) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'proxy', node: options.nodeName });
    this.clock = options.clock ?? realClock;
    this.metrics = options.metrics ?? new ProxyMetrics();
    this.services = new ListWatchInformer(options.client, resources.Services, this.logger);
    this.slices = new ListWatchInformer(options.client, resources.EndpointSlices, this.logger);
    this.slices.addIndex(sliceIndex, (s) => {
      const svc = s.metadata?.labels?.[serviceNameLabel];
      return svc ? [`${s.metadata?.namespace ?? ''}/${svc}`] : [];
    });
  }

  /** Starts the informers and resolves once the first table is programmed. */
  async start(): Promise<void> {
    this.stopped = false;
    await Promise.all([this.services.start(), this.slices.start()]);
    this.subscription = merge(this.services.events, this.slices.events).subscribe(() => {
      this.schedule();
    });
    this.schedule();
    await this.settled();
  }

  /** Resolves when every change seen so far is applied to the listeners. */
  async settled(): Promise<void> {
    while (this.scheduled || this.dirty) await this.syncing;
    await this.syncing;
  }

  /** The listeners currently open, as `TCP/127.10.0.5:80` keys. */
  get listeners(): readonly string[] {
    return [...this.forwarders.keys()].sort();
  }

  /** Stops watching and closes every listener; open TCP connections are reset. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.subscription?.unsubscribe();
    if (this.retry !== undefined) this.clock.clearTimeout(this.retry);
    await this.syncing;
    await Promise.all([this.services.stop(), this.slices.stop()]);
    await Promise.all(
      [...this.forwarders.values()].map((f) => (f instanceof TcpForwarder ? f.close(true) : f.close())),
    );
    this.forwarders.clear();
  }

  private schedule(): void {
    this.dirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    // One sync at a time; events arriving meanwhile coalesce into the next one.
    this.syncing = this.syncing.then(async () => {
      this.scheduled = false;
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        await this.sync().catch((err: unknown) => {
          this.logger.error('proxy sync failed', { err: String(err) });
        });
      }
    });
  }

  private async sync(): Promise<void> {
    const services =
      this.options.serveClusterIps === false
        ? this.services.cache.list().map((s) => ({ ...s, spec: { ...s.spec, clusterIP: 'None' } }))
        : this.services.cache.list();
    const table = serviceTable(
      services,
      (ns, name) => this.slices.cache.byIndex(sliceIndex, `${ns}/${name}`),
      this.options.nodeAddress,
    );
    for (const [key, f] of this.forwarders) {
      if (table.has(key)) continue;
      this.forwarders.delete(key);
      await f.close();
      this.logger.debug('listener closed', { listener: key });
    }
    let retryNeeded = false;
    for (const [key, entry] of table) {
      const existing = this.forwarders.get(key);
      if (existing !== undefined) {
        existing.update(entry);
        continue;
      }
      const f = this.forwarderFor(entry);
      try {
        await f.listen();
        this.forwarders.set(key, f);
        this.failed.delete(key);
        this.logger.debug('listening', { listener: key, service: entry.service });
      } catch (err) {
        await f.close().catch(() => undefined);
        retryNeeded = true;
        if (!this.failed.has(key)) {
          this.failed.add(key);
          this.metrics.error(entry.service, entry.portLabel, 'listen');
          this.logger.warn('cannot listen for a service port; retrying', { listener: key, err: String(err) });
        }
      }
    }
    if (retryNeeded && !this.stopped && this.retry === undefined) {
      this.retry = this.clock.setTimeout(() => {
        this.retry = undefined;
        this.schedule();
      }, this.options.retryMs ?? 1000);
    }
  }

  private forwarderFor(entry: ServicePortEntry): Forwarder {
    return entry.protocol === 'TCP'
      ? new TcpForwarder(entry, this.metrics, this.logger, this.clock)
      : new UdpForwarder(entry, this.metrics, this.logger, this.clock, this.options.udpIdleMs);
  }
}
