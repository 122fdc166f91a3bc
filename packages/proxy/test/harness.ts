import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';

import { apiserverModule } from '@tugboat/apiserver';
import { ApiClient, Logger, resources, silentLogger, type corev1, type discoveryv1 } from '@tugboat/core';
import { memoryStoreModule } from '@tugboat/store-memory';
import { Container } from 'inversify';

/** Polls `probe` until it returns something other than undefined, or fails at the deadline. */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what} not met before the deadline${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An in-process control plane: memory store and registry with Service allocation from `range`. */
export async function controlPlane(range: string): Promise<{ api: ApiClient; stop: () => Promise<void> }> {
  const container = new Container();
  container.bind(Logger).toConstantValue(silentLogger);
  container.load(memoryStoreModule(), apiserverModule({ serviceClusterIpRange: range }));
  return { api: container.get<ApiClient>(ApiClient), stop: () => container.unbindAllAsync() };
}

/** An HTTP server on 127.0.0.1 answering every request with its name. */
export async function namedServer(name: string): Promise<{ name: string; port: number; server: Server }> {
  const server = createHttpServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(name);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { name, port: (server.address() as AddressInfo).port, server };
}

/** A port on 127.0.0.1 nothing listens on (connections are refused). */
export async function refusingPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** GET / on a fresh connection; resolves with the body. */
export function get(host: string, port: number, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port, path: '/', agent: false, ...(localAddress ? { localAddress } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          resolve(body);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** One EndpointSlice per endpoint (each has its own port on 127.0.0.1). */
export async function setEndpoints(
  api: ApiClient,
  ns: string,
  service: string,
  endpoints: readonly { name: string; port: number; ready?: boolean; protocol?: 'TCP' | 'UDP' }[],
  portName = 'http',
): Promise<void> {
  const existing = await api.list(resources.EndpointSlices, {
    namespace: ns,
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  const wanted = new Set(endpoints.map((e) => `${service}-${e.name}`));
  for (const s of existing.items) {
    if (!wanted.has(s.metadata?.name ?? ''))
      await api.delete(resources.EndpointSlices, s.metadata?.name ?? '', { namespace: ns });
  }
  for (const e of endpoints) {
    const slice: discoveryv1.EndpointSlice = {
      metadata: {
        name: `${service}-${e.name}`,
        namespace: ns,
        labels: { 'kubernetes.io/service-name': service },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: e.ready ?? true } }],
      ports: [{ name: portName, port: e.port, protocol: e.protocol ?? 'TCP' }],
    };
    const cur = existing.items.find((s) => s.metadata?.name === slice.metadata?.name);
    if (cur)
      await api.update(resources.EndpointSlices, {
        ...slice,
        metadata: { ...slice.metadata, resourceVersion: cur.metadata?.resourceVersion ?? '' },
      });
    else await api.create(resources.EndpointSlices, slice);
  }
}

/** Creates a Service without a selector (endpoints come from {@link setEndpoints}). */
export function createService(
  api: ApiClient,
  ns: string,
  name: string,
  spec: corev1.ServiceSpec,
): Promise<corev1.Service> {
  return api.create(resources.Services, { metadata: { name, namespace: ns }, spec });
}
