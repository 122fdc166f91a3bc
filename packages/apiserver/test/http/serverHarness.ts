import { silentLogger } from '@tugboat/core';
import { MemoryStore } from '@tugboat/store-memory';

import {
  Registry,
  ResourceRegistry,
  startApiServer,
  type RunningApiServer,
  type ServerOptions,
} from '../../src/index.js';

/** A server on a fresh MemoryStore; `close` stops both. */
export interface TestServer {
  readonly url: string;
  readonly store: MemoryStore;
  readonly registry: Registry;
  readonly server: RunningApiServer;
  close(): Promise<void>;
}

/** Starts an API server over plain HTTP on loopback with the default (admin, allow-all) hooks. */
export async function startTestServer(
  options: Partial<Omit<ServerOptions, 'registry'>> = {},
): Promise<TestServer> {
  const store = new MemoryStore();
  const registry = new Registry(store, new ResourceRegistry(), silentLogger, { bookmarkIntervalMs: 200 });
  const server = await startApiServer({ registry, ...options });
  return {
    url: server.url,
    store,
    registry,
    server,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}

/** One HTTP exchange, read in full. */
export interface Exchange {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: () => Record<string, unknown>;
}

/** Sends a request; `body` objects are JSON-encoded unless a string or Buffer is given. */
export async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Exchange> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || Buffer.isBuffer(body) ? (body as string) : JSON.stringify(body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
  }
  const res = await fetch(`${url}${path}`, init);
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

/** A minimal valid pod. */
export function podBody(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: { containers: [{ name: 'app', image: 'busybox:1.35' }] },
    ...extra,
  };
}

/** Reads an NDJSON watch response line by line (into `lines`) until `done` says stop or the stream ends. */
export async function readWatch(
  res: Response,
  done: (lines: string[]) => boolean,
  lines: string[] = [],
): Promise<string[]> {
  const body = res.body;
  if (body === null) return lines;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    while (!done(lines)) {
      const chunk = (await reader.read()) as { value?: Uint8Array; done: boolean };
      const { value, done: ended } = chunk;
      if (ended) break;
      buffered += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        lines.push(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    }
  } catch {
    // An aborted or reset stream ends the reading; the lines read so far stand.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return lines;
}

/** A watch response being read in the background: its lines so far, and a way to wait for more. */
export interface OpenWatch {
  readonly lines: string[];
  /** Resolves once `pred` holds for the non-empty lines read, failing after a deadline. */
  waitFor(pred: (lines: string[]) => boolean, deadlineMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

/** Opens a watch with fetch and reads its lines in the background. */
export async function openWatch(url: string, headers: Record<string, string> = {}): Promise<OpenWatch> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const lines: string[] = [];
  const reading = readWatch(res, () => controller.signal.aborted, lines);
  const nonEmpty = (): string[] => lines.filter((l) => l.trim() !== '');
  return {
    lines,
    async waitFor(pred, deadlineMs = 10_000) {
      const end = Date.now() + deadlineMs;
      while (!pred(nonEmpty())) {
        if (Date.now() > end)
          throw new Error(`watch condition not met; lines so far: ${JSON.stringify(lines)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return nonEmpty();
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}
