import { createConnection, createServer, type Server, type Socket } from 'node:net';

import type { Clock, Logger } from '@tugboat/core';

import type { ProxyMetrics } from '../ProxyMetrics.js';
import { EndpointPicker, endpointKey } from './EndpointPicker.js';
import type { ServicePortEntry } from './serviceTable.js';

/**
 * Forwards `from`'s data to `to` with backpressure and passes on its end (half-close). Plain
 * `data` handlers, because stream `pipe` costs noticeably more per small message.
 */
function splice(from: Socket, to: Socket): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => {
    from.resume();
  });
  from.on('end', () => {
    to.end();
  });
}

/**
 * The TCP listener of one service port: each accepted connection goes to the endpoint the picker
 * chooses; an endpoint that fails to connect (refused, unreachable) is skipped for the next ready
 * one before the client is given up on. Endpoint changes apply to new connections only, so those
 * already open to a removed endpoint drain.
 */
export class TcpForwarder {
  private readonly server: Server;
  private readonly picker: EndpointPicker;
  private entry: ServicePortEntry;
  private readonly open = new Set<Socket>();

  constructor(
    entry: ServicePortEntry,
    private readonly metrics: ProxyMetrics,
    private readonly logger: Logger,
    clock: Clock,
  ) {
    this.entry = entry;
    this.picker = new EndpointPicker(clock);
    this.picker.update(entry.endpoints, entry.affinityMs);
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
      this.accept(client);
    });
  }

  /** Starts listening on the entry's address and port; rejects (e.g. EADDRINUSE) if it cannot. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(err);
      };
      this.server.once('error', onError);
      this.server.listen({ host: this.entry.address, port: this.entry.port, exclusive: true }, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => {
          this.logger.warn('listener error', { listener: this.entry.key, err: String(err) });
        });
        resolve();
      });
    });
  }

  /** Applies new endpoints or affinity to connections accepted from now on. */
  update(entry: ServicePortEntry): void {
    this.entry = entry;
    this.picker.update(entry.endpoints, entry.affinityMs);
  }

  /** Stops accepting. Open connections drain unless `force`, which resets them. */
  close(force = false): Promise<void> {
    if (force) for (const s of this.open) s.destroy();
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
      if (!force) resolve();
    });
  }

  private accept(client: Socket): void {
    const { service, portLabel } = this.entry;
    const done = this.metrics.connectionOpened(service, portLabel, 'TCP');
    this.open.add(client);
    const clientIp = client.remoteAddress;
    const tried = new Set<string>();
    let upstream: Socket | undefined;
    client.on('error', () => {
      upstream?.destroy();
    });
    client.on('close', () => {
      this.open.delete(client);
      upstream?.destroy();
      done(client.bytesRead, client.bytesWritten);
    });
    const attempt = (): void => {
      const ep = this.picker.pick(clientIp, tried);
      if (ep === undefined) {
        this.metrics.error(service, portLabel, tried.size === 0 ? 'no-endpoints' : 'refused');
        client.destroy();
        return;
      }
      tried.add(endpointKey(ep));
      const socket = createConnection({
        host: ep.address,
        port: ep.port,
        allowHalfOpen: true,
        noDelay: true,
      });
      upstream = socket;
      let connected = false;
      socket.once('connect', () => {
        connected = true;
        if (client.destroyed) {
          socket.destroy();
          return;
        }
        splice(client, socket);
        splice(socket, client);
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (connected) {
          this.metrics.error(service, portLabel, 'reset');
          client.destroy();
          return;
        }
        this.logger.debug('endpoint failed, trying the next', {
          service,
          endpoint: endpointKey(ep),
          code: err.code,
        });
        this.metrics.error(service, portLabel, 'refused');
        socket.destroy();
        if (!client.destroyed) attempt();
      });
    };
    attempt();
  }
}
