import { createSocket, type Socket } from 'node:dgram';
import { createServer, isIP, type Server, type Socket as TcpSocket } from 'node:net';

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
  /** UDP and TCP port (default 53; 0 picks one free for both, see {@link ClusterDns.port}). */
  readonly port?: number;
  /** The cluster domain (default `cluster.local`). */
  readonly domain?: string;
  /** TTL of answers in seconds (default 5). */
  readonly ttl?: number;
  readonly logger?: Logger;
}

const NXDOMAIN = 3;
// A client that sends nothing for this long is dropped, so idle TCP connections cannot pile up.
const tcpIdleMs = 30_000;
const FORMERR = 1;
const sliceIndex = 'byService';

/**
 * A small cluster DNS server (UDP and TCP on the same port): answers A queries for `<service>.<namespace>.svc.<domain>`
 * from Services — the cluster IP, or for headless Services the ready endpoint addresses — and
 * NXDOMAIN for any other name. Search paths (`<service>`, `<service>.<namespace>`) are the
 * resolver's job, through the `search` line of a pod's resolv.conf.
 */
export class ClusterDns {
  private socket: Socket;
  private readonly tcp: Server;
  private readonly connections = new Set<TcpSocket>();
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
    this.socket = this.udpSocket();
    this.tcp = createServer((conn) => {
      this.serveTcp(conn);
    });
  }

  private udpSocket(): Socket {
    const socket = createSocket('udp4');
    socket.on('message', (msg, rinfo) => {
      const reply = this.answer(msg);
      if (reply !== undefined) socket.send(reply, rinfo.port, rinfo.address);
    });
    return socket;
  }

  // DNS over TCP: each message is preceded by its length as two bytes (RFC 1035 4.2.2).
  private serveTcp(conn: TcpSocket): void {
    this.connections.add(conn);
    conn.setTimeout(tcpIdleMs, () => conn.destroy());
    conn.on('close', () => this.connections.delete(conn));
    conn.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    conn.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const msg = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + msg.length);
        const reply = this.answer(msg);
        if (reply === undefined) continue;
        const length = Buffer.alloc(2);
        length.writeUInt16BE(reply.length);
        conn.write(Buffer.concat([length, reply]));
      }
    });
  }

  /** The port served on, UDP and TCP (useful with port 0). */
  get port(): number {
    return this.boundPort;
  }

  /** Starts the informers, then serves; a port that cannot be bound is an `Unavailable` error. */
  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.slices.start()]);
    const address = this.options.address ?? '127.0.0.1';
    const requested = this.options.port ?? 53;
    // With port 0 the UDP port is picked first; the TCP one must match, so a taken one means another try.
    for (let attempt = 1; ; attempt++) {
      const port = await this.bindUdp(address, requested);
      try {
        await this.bindTcp(address, port);
        this.boundPort = port;
        return;
      } catch (err) {
        await this.closeUdp();
        this.socket = this.udpSocket();
        if (requested !== 0 || attempt === 10) throw err;
      }
    }
  }

  private bindUdp(address: string, port: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.socket.once('error', (err) => {
        reject(
          new ApiError('Unavailable', `cluster DNS cannot listen on ${address}:${port}: ${err.message}`),
        );
      });
      this.socket.bind(port, address, () => {
        this.socket.removeAllListeners('error');
        this.socket.on('error', (err) => {
          this.logger.warn('dns socket error', { err: String(err) });
        });
        resolve(this.socket.address().port);
      });
    });
  }

  private bindTcp(address: string, port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        reject(
          new ApiError('Unavailable', `cluster DNS cannot listen on ${address}:${port}/tcp: ${err.message}`),
        );
      };
      this.tcp.once('error', fail);
      this.tcp.listen(port, address, () => {
        this.tcp.off('error', fail);
        resolve();
      });
    });
  }

  private closeUdp(): Promise<void> {
    return new Promise<void>((resolve) => {
      try {
        this.socket.close(() => {
          resolve();
        });
      } catch {
        resolve();
      }
    });
  }

  /** Stops serving and watching. */
  async stop(): Promise<void> {
    await this.closeUdp();
    for (const conn of this.connections) conn.destroy();
    await new Promise<void>((resolve) => {
      if (!this.tcp.listening) resolve();
      else
        this.tcp.close(() => {
          resolve();
        });
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
