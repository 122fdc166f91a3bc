import { isIP } from 'node:net';

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
import { ServiceInterface } from './ServiceInterface.js';
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
  private readonly iface: ServiceInterface | undefined;
  /** Cluster IPs on {@link iface}, as far as this proxy knows. */
  private readonly assigned = new Set<string>();

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
    this.iface =
      options.serviceInterface === undefined
        ? undefined
        : new ServiceInterface({
            name: options.serviceInterface,
            logger: this.logger,
            ...(options.ipCommand !== undefined ? { ipCommand: options.ipCommand } : {}),
          });
  }

  /**
   * Starts the informers and resolves once the first table is programmed. With a service interface,
   * creates it first (an `ApiError` says why it cannot: `Forbidden` without root, `Unavailable`
   * without iproute2) and drops addresses an earlier run left on it that no Service has any more.
   */
  async start(): Promise<void> {
    this.stopped = false;
    if (this.iface !== undefined) {
      await this.iface.ensure();
      for (const address of await this.iface.addresses()) this.assigned.add(address);
    }
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

  /** The cluster IPs held on the service interface (empty without one). */
  get interfaceAddresses(): readonly string[] {
    return [...this.assigned].sort();
  }

  /** Stops watching and closes every listener, then removes the service interface; open TCP connections are reset. */
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
    if (this.iface !== undefined) {
      await this.iface.remove().catch((err: unknown) => {
        this.logger.warn('cannot remove the service interface', { err: String(err) });
      });
      this.assigned.clear();
    }
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
      // A cluster IP about to leave the interface cannot carry its connections any more: without
      // the local address their packets would head for the default route, so they end now.
      const address = key.slice(key.indexOf('/') + 1, key.lastIndexOf(':'));
      const leaving = this.iface !== undefined && this.assigned.has(address);
      await (f instanceof TcpForwarder ? f.close(leaving) : f.close());
      this.logger.debug('listener closed', { listener: key });
    }
    let retryNeeded = !(await this.syncInterface(services));
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

  // Adds the cluster IPs outside loopback to the service interface and removes those no Service
  // has; false when one could not be added (its listener then fails too, and the sync retries).
  private async syncInterface(services: readonly corev1.Service[]): Promise<boolean> {
    const iface = this.iface;
    if (iface === undefined) return true;
    const wanted = new Set<string>();
    for (const s of services) {
      const ip = s.spec?.clusterIP;
      if (s.spec?.type !== 'ExternalName' && ip && isIP(ip) === 4 && !ip.startsWith('127.')) wanted.add(ip);
    }
    let ok = true;
    for (const ip of [...this.assigned].filter((a) => !wanted.has(a))) {
      await iface.delete(ip).then(
        () => this.assigned.delete(ip),
        (err: unknown) => {
          this.logger.warn('cannot remove a cluster IP from the service interface', { ip, err: String(err) });
        },
      );
    }
    for (const ip of [...wanted].filter((a) => !this.assigned.has(a))) {
      await iface.add(ip).then(
        () => this.assigned.add(ip),
        (err: unknown) => {
          ok = false;
          this.logger.warn('cannot add a cluster IP to the service interface', { ip, err: String(err) });
        },
      );
    }
    return ok;
  }

  private forwarderFor(entry: ServicePortEntry): Forwarder {
    return entry.protocol === 'TCP'
      ? new TcpForwarder(entry, this.metrics, this.logger, this.clock)
      : new UdpForwarder(entry, this.metrics, this.logger, this.clock, this.options.udpIdleMs);
  }
}
