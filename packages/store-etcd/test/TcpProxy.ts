import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP forwarder whose connections a test can cut: `cut()` drops every open connection
 * and refuses new ones until `heal()`, which is how a client loses etcd without etcd going down.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;

  private readonly server: Server;
  private port = 0;

  private constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => {
      this.accept(client);
    });
  }

  /** Starts forwarding 127.0.0.1:<free port> to `target` (`host:port`). */
  static async start(target: string): Promise<TcpProxy> {
    const [host = '127.0.0.1', port = '0'] = target.split(':');
    const proxy = new TcpProxy(host, Number(port));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as { port: number }).port;
    return proxy;
  }

  private accept(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, this.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  /** `127.0.0.1:port`. */
  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Drops all connections and refuses new ones. */
  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
  }

  /** Accepts connections again. */
  heal(): void {
    this.refusing = false;
  }

  /** Closes the listener and every connection. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }
}
