import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP listener forwarding each connection to the next of its targets (round-robin), skipping
 * targets that refuse, as a cloud load balancer in front of NodePorts does.
 */
export class TcpBalancer {
  private readonly server: Server;
  private targets: readonly { readonly host: string; readonly port: number }[] = [];
  private next = 0;
  private readonly open = new Set<Socket>();

  constructor(
    readonly address: string,
    readonly port: number,
  ) {
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
      this.accept(client);
    });
  }

  /** Starts listening; rejects if the address cannot be bound. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.address, port: this.port, exclusive: true }, () => {
        this.server.off('error', reject);
        this.server.on('error', () => undefined);
        resolve();
      });
    });
  }

  /** Sets where new connections go. */
  setTargets(targets: readonly { readonly host: string; readonly port: number }[]): void {
    this.targets = targets;
    if (this.next >= targets.length) this.next = 0;
  }

  /** Stops listening and resets open connections. */
  close(): Promise<void> {
    for (const s of this.open) s.destroy();
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    this.open.add(client);
    let upstream: Socket | undefined;
    client.on('error', () => upstream?.destroy());
    client.on('close', () => {
      this.open.delete(client);
      upstream?.destroy();
    });
    let tries = 0;
    const attempt = (): void => {
      const n = this.targets.length;
      const target = this.targets[this.next % Math.max(n, 1)];
      if (target === undefined || tries >= n) {
        client.destroy();
        return;
      }
      tries++;
      this.next = (this.next + 1) % n;
      const socket = createConnection({
        host: target.host,
        port: target.port,
        allowHalfOpen: true,
        noDelay: true,
      });
      upstream = socket;
      let connected = false;
      socket.once('connect', () => {
        connected = true;
        client.pipe(socket);
        socket.pipe(client);
      });
      socket.on('error', () => {
        socket.destroy();
        if (connected) client.destroy();
        else if (!client.destroyed) attempt();
      });
    };
    attempt();
  }
}
