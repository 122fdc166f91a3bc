import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';

import {
  ApiError,
  ListWatchInformer,
  resources,
  silentLogger,
  type ApiClient,
  type corev1,
  type discoveryv1,
  type Logger,
} from '@tugboat/core';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';

import { serviceNameLabel } from './internal/serviceTable.js';

/** Options of {@link ClusterDns}. */
export interface ClusterDnsOptions {
  readonly client: ApiClient;
  /** Address to serve on (default `127.0.0.1`); give pods one they can reach. */
  readonly address?: string;
  /** UDP port (default 53; 0 picks a free one, see {@link ClusterDns.port}). */
  readonly port?: number;
  /** The cluster domain (default `cluster.local`). */
  readonly domain?: string;
  /** TTL of answers in seconds (default 5). */
  readonly ttl?: number;
  readonly logger?: Logger;
}

const NXDOMAIN = 3;
const FORMERR = 1;
const sliceIndex = 'byService';

/**
 * A small cluster DNS server (UDP): answers A queries for `<service>.<namespace>.svc.<domain>`
 * from Services — the cluster IP, or for headless Services the ready endpoint addresses — and
 * NXDOMAIN for any other name. Search paths (`<service>`, `<service>.<namespace>`) are the
 * resolver's job, through the `search` line of a pod's resolv.conf.
 */
export class ClusterDns {
  private readonly socket: Socket;
  private readonly services: ListWatchInformer<corev1.Service>;
  private readonly slices: ListWatchInformer<discoveryv1.EndpointSlice>;
  private readonly suffix: string;
  private readonly ttl: number;
  private readonly logger: Logger;
  private boundPort = 0;

  constructor(private readonly options: ClusterDnsOptions) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'cluster-dns' });
    this.suffix = `.svc.${(options.domain ?? 'cluster.local').toLowerCase()}`;
    this.ttl = options.ttl ?? 5;
    this.services = new ListWatchInformer(options.client, resources.Services, this.logger);
    this.slices = new ListWatchInformer(options.client, resources.EndpointSlices, this.logger);
    this.slices.addIndex(sliceIndex, (s) => {
      const svc = s.metadata?.labels?.[serviceNameLabel];
      return svc ? [`${s.metadata?.namespace ?? ''}/${svc}`] : [];
    });
    this.socket = createSocket('udp4');
    this.socket.on('message', (msg, rinfo) => {
      const reply = this.answer(msg);
      if (reply !== undefined) this.socket.send(reply, rinfo.port, rinfo.address);
    });
  }

  /** The UDP port served on (useful with port 0). */
  get port(): number {
    return this.boundPort;
  }

  /** Starts the informers, then serves. */
  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.slices.start()]);
    await new Promise<void>((resolve, reject) => {
      this.socket.once('error', (err) => {
        reject(
          new ApiError(
            'Unavailable',
            `cluster DNS cannot listen on ${this.options.address ?? '127.0.0.1'}:${this.options.port ?? 53}: ${err.message}`,
          ),
        );
      });
      this.socket.bind(this.options.port ?? 53, this.options.address ?? '127.0.0.1', () => {
        this.socket.removeAllListeners('error');
        this.socket.on('error', (err) => {
          this.logger.warn('dns socket error', { err: String(err) });
        });
        this.boundPort = this.socket.address().port;
        resolve();
      });
    });
  }

  /** Stops serving and watching. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      try {
        this.socket.close(() => {
          resolve();
        });
      } catch {
        resolve();
      }
    });
    await Promise.all([this.services.stop(), this.slices.stop()]);
  }

  /** The addresses `name` resolves to, or `undefined` when the name does not exist. */
  resolve(name: string): readonly string[] | undefined {
    const fqdn = name.toLowerCase().replace(/\.$/, '');
    if (!fqdn.endsWith(this.suffix)) return undefined;
    const parts = fqdn.slice(0, -this.suffix.length).split('.');
    if (parts.length !== 2) return undefined;
    const [svcName = '', ns = ''] = parts;
    const svc = this.services.cache.get(svcName, ns);
    if (svc === undefined || svc.spec?.type === 'ExternalName') return undefined;
    const ip = svc.spec?.clusterIP;
    if (ip && ip !== 'None') return isIP(ip) === 4 ? [ip] : [];
    const addresses = new Set<string>();
    for (const slice of this.slices.cache.byIndex(sliceIndex, `${ns}/${svcName}`)) {
      if (slice.addressType !== 'IPv4') continue;
      for (const e of slice.endpoints)
        if (e.conditions?.ready !== false && e.addresses[0]) addresses.add(e.addresses[0]);
    }
    return [...addresses].sort();
  }

  private answer(msg: Buffer): Buffer | undefined {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      // Too broken to even read the id: nothing sensible to answer.
      if (msg.length < 2) return undefined;
      return dnsPacket.encode({ type: 'response', id: msg.readUInt16BE(0), flags: FORMERR });
    }
    if (query.type !== 'query') return undefined;
    const question = query.questions?.[0];
    const base = {
      type: 'response' as const,
      id: query.id ?? 0,
      questions: query.questions ?? [],
    };
    const rd = query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0;
    if (question === undefined) return dnsPacket.encode({ ...base, flags: FORMERR });
    const addresses = this.resolve(question.name);
    if (addresses === undefined) {
      return dnsPacket.encode({ ...base, flags: dnsPacket.AUTHORITATIVE_ANSWER | rd | NXDOMAIN });
    }
    const answers: Answer[] =
      question.type === 'A'
        ? addresses.map((data) => ({ type: 'A', name: question.name, ttl: this.ttl, class: 'IN', data }))
        : [];
    return dnsPacket.encode({ ...base, flags: dnsPacket.AUTHORITATIVE_ANSWER | rd, answers });
  }
}
