// The part of spdy-transport (no published types) that the exec client uses.
declare module 'spdy-transport' {
  import type { Duplex } from 'node:stream';

  interface SpdyStream extends Duplex {
    readonly id: number;
    /** Internal state; `needResponse` makes a request stream wait for a SYN_REPLY with `:status`. */
    readonly _spdyState: { needResponse: boolean };
  }

  interface SpdyConnection {
    start(version: number): void;
    request(
      uri: { method: string; path: string; host: string; headers: Record<string, string> },
      callback: (err: Error | null) => void,
    ): SpdyStream;
    on(event: 'error', listener: (err: Error) => void): this;
    end(callback?: () => void): void;
  }

  const transport: {
    connection: {
      create(socket: Duplex, options: { protocol: 'spdy' | 'http2'; isServer: boolean }): SpdyConnection;
    };
  };
  export default transport;
  export type { SpdyConnection, SpdyStream };
}
