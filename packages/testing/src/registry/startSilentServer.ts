import { createServer, type Socket } from 'node:net';

/** A loopback TCP server that accepts connections and never answers. */
export interface SilentServer {
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  /** How many connections it has accepted so far. */
  readonly accepted: () => number;
  /** Closes the listener and every held connection. */
  stop(): Promise<void>;
}

/**
 * Starts a server that stands in for a hung registry: it accepts TCP connections on a free loopback
 * port and then says nothing, so a client without a deadline would wait forever.
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    accepted: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
