import { Counter, Gauge, Registry as PromRegistry } from 'prom-client';

/** Which way bytes went: `in` from clients to endpoints, `out` back to clients. */
export type ByteDirection = 'in' | 'out';

/**
 * The Prometheus metrics of one proxy, in its own prom-client registry (so several proxies in one
 * process never collide): connections (UDP: sessions), bytes and errors per service port.
 */
export class ProxyMetrics {
  readonly registry = new PromRegistry();
  private readonly connections = new Counter({
    name: 'tugboat_proxy_connections_total',
    help: 'Connections (TCP) or sessions (UDP) accepted per service port.',
    labelNames: ['service', 'port', 'protocol'] as const,
    registers: [this.registry],
  });
  private readonly active = new Gauge({
    name: 'tugboat_proxy_active_connections',
    help: 'Connections currently being forwarded per service port.',
    labelNames: ['service', 'port', 'protocol'] as const,
    registers: [this.registry],
  });
  private readonly bytes = new Counter({
    name: 'tugboat_proxy_bytes_total',
    help: 'Bytes forwarded per service port and direction (in: client to endpoint).',
    labelNames: ['service', 'port', 'direction'] as const,
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'tugboat_proxy_errors_total',
    help: 'Forwarding errors per service port and reason (refused, no-endpoints, reset, listen).',
    labelNames: ['service', 'port', 'reason'] as const,
    registers: [this.registry],
  });

  /** Counts a connection opened; the returned function counts it closed with its byte totals. */
  connectionOpened(
    service: string,
    port: string,
    protocol: string,
  ): (bytesIn: number, bytesOut: number) => void {
    this.connections.inc({ service, port, protocol });
    this.active.inc({ service, port, protocol });
    let closed = false;
    return (bytesIn, bytesOut) => {
      if (closed) return;
      closed = true;
      this.active.dec({ service, port, protocol });
      this.addBytes(service, port, bytesIn, bytesOut);
    };
  }

  /** Adds forwarded bytes (UDP counts per datagram). */
  addBytes(service: string, port: string, bytesIn: number, bytesOut: number): void {
    if (bytesIn > 0) this.bytes.inc({ service, port, direction: 'in' }, bytesIn);
    if (bytesOut > 0) this.bytes.inc({ service, port, direction: 'out' }, bytesOut);
  }

  /** Counts one error. */
  error(service: string, port: string, reason: string): void {
    this.errors.inc({ service, port, reason });
  }

  /** The text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
