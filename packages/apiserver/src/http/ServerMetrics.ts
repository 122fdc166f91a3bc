import { Counter, Gauge, Histogram, Registry as PromRegistry } from 'prom-client';

/**
 * The Prometheus metrics of one API server (its own prom-client registry, so several servers in
 * one process never collide): request counts and latencies by verb/resource/code, in-flight
 * requests and open watches, served at `/metrics`.
 */
export class ServerMetrics {
  readonly registry = new PromRegistry();
  private readonly requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out by verb, resource and HTTP response code.',
    labelNames: ['verb', 'resource', 'code'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb and resource (watches excluded).',
    labelNames: ['verb', 'resource'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly inflight = new Gauge({
    name: 'apiserver_current_inflight_requests',
    help: 'Number of requests currently being served (watches excluded).',
    registers: [this.registry],
  });
  private readonly watchers = new Gauge({
    name: 'apiserver_registered_watchers',
    help: 'Number of currently open watches for a given resource.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  /** Marks a request started; the returned function records its outcome. */
  begin(): (verb: string, resource: string, code: number) => void {
    this.inflight.inc();
    const end = this.duration.startTimer();
    let done = false;
    return (verb, resource, code) => {
      if (done) return;
      done = true;
      this.inflight.dec();
      if (verb !== 'watch') end({ verb: verb.toUpperCase(), resource });
      this.requests.inc({ verb: verb.toUpperCase(), resource, code: String(code) });
    };
  }

  /** Counts a watch opened on `resource`; the returned function counts it closed. */
  watchOpened(resource: string): () => void {
    this.watchers.inc({ resource });
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.watchers.dec({ resource });
    };
  }

  /** The text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
