import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

import type { Clock, Logger } from '@tugboat/core';

import type { ProxyMetrics } from '../ProxyMetrics.js';
import { EndpointPicker, type Endpoint } from './EndpointPicker.js';
import type { ServicePortEntry } from './serviceTable.js';

interface Session {
  readonly upstream: Socket;
  readonly endpoint: Endpoint;
  lastSeen: number;
}

/**
 * The UDP listener of one service port. Each client address gets a session: its own upstream
 * socket to the endpoint the picker chose, whose replies go back to the client from the service
 * address. A session ends after `idleMs` without traffic; a session to a removed endpoint keeps
 * going until then (the UDP form of draining).
 */
export class UdpForwarder {
  private readonly socket: Socket;
  private readonly picker: EndpointPicker;
  private entry: ServicePortEntry;
  private readonly sessions = new Map<string, Session>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    entry: ServicePortEntry,
    private readonly metrics: ProxyMetrics,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly idleMs = 30_000,
  ) {
    this.entry = entry;
    this.picker = new EndpointPicker(clock);
    this.picker.update(entry.endpoints, entry.affinityMs);
    this.socket = createSocket({ type: 'udp4', reuseAddr: false });
    this.socket.on('message', (msg, rinfo) => {
      this.forward(msg, rinfo);
    });
    this.sweep = setInterval(
      () => {
        this.expire();
      },
      Math.min(idleMs, 5000),
    );
    this.sweep.unref();
  }

  /** Binds the entry's address and port; rejects if it cannot. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(err);
      };
      this.socket.once('error', onError);
      this.socket.bind({ address: this.entry.address, port: this.entry.port, exclusive: true }, () => {
        this.socket.off('error', onError);
        this.socket.on('error', (err) => {
          this.logger.warn('listener error', { listener: this.entry.key, err: String(err) });
        });
        resolve();
      });
    });
  }

  /** Applies new endpoints or affinity to new sessions. */
  update(entry: ServicePortEntry): void {
    this.entry = entry;
    this.picker.update(entry.endpoints, entry.affinityMs);
  }

  /** Closes the listener and every session. */
  close(): Promise<void> {
    clearInterval(this.sweep);
    for (const s of this.sessions.values()) s.upstream.close();
    this.sessions.clear();
    return new Promise((resolve) => {
      this.socket.close(() => {
        resolve();
      });
    });
  }

  private forward(msg: Buffer, rinfo: RemoteInfo): void {
    const { service, portLabel } = this.entry;
    const key = `${rinfo.address}:${rinfo.port}`;
    let session = this.sessions.get(key);
    if (session === undefined) {
      const endpoint = this.picker.pick(rinfo.address);
      if (endpoint === undefined) {
        this.metrics.error(service, portLabel, 'no-endpoints');
        return;
      }
      const upstream = createSocket('udp4');
      upstream.on('message', (reply) => {
        const s = this.sessions.get(key);
        if (s) s.lastSeen = this.clock.now();
        this.metrics.addBytes(service, portLabel, 0, reply.length);
        this.socket.send(reply, rinfo.port, rinfo.address);
      });
      upstream.on('error', () => {
        this.metrics.error(service, portLabel, 'refused');
      });
      session = { upstream, endpoint, lastSeen: this.clock.now() };
      this.sessions.set(key, session);
      this.metrics.connectionOpened(service, portLabel, 'UDP')(0, 0);
    }
    session.lastSeen = this.clock.now();
    this.metrics.addBytes(service, portLabel, msg.length, 0);
    session.upstream.send(msg, session.endpoint.port, session.endpoint.address);
  }

  private expire(): void {
    const now = this.clock.now();
    for (const [key, s] of this.sessions) {
      if (now - s.lastSeen < this.idleMs) continue;
      s.upstream.close();
      this.sessions.delete(key);
    }
  }
}
