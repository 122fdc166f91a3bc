import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { silentLogger } from '@tugboat/core';
import { MemoryStore } from '@tugboat/store-memory';

import {
  ClusterPki,
  ClusterSecurity,
  InProcessApiClient,
  NodeRestriction,
  Registry,
  ResourceRegistry,
  startApiServer,
  type RunningApiServer,
} from '../../src/index.js';

/** What a test request may carry. */
export interface RequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly cert?: { certPem: string; keyPem: string };
  readonly token?: string;
  readonly headers?: Record<string, string | string[]>;
}

/** A test request's answer, the body parsed as JSON when it is JSON. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** A secured API server over HTTPS on a fresh store, PKI in a temporary directory. */
export interface SecuredServer {
  readonly dir: string;
  readonly pki: ClusterPki;
  readonly registry: Registry;
  readonly client: InProcessApiClient;
  readonly security: ClusterSecurity;
  readonly server: RunningApiServer;
  request(path: string, options?: RequestOptions): Promise<Answer>;
  close(): Promise<void>;
}

/** Starts a secured server; `tokenCsv` becomes its static token file. */
export async function startSecuredServer(
  opts: { tokenCsv?: string; allowAnonymous?: boolean } = {},
): Promise<SecuredServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tug-auth-'));
  const pki = await ClusterPki.loadOrCreate({ dir: join(dir, 'pki') });
  const store = new MemoryStore();
  const registry = new Registry(store, new ResourceRegistry(), silentLogger, {
    admissionPlugins: [new NodeRestriction()],
  });
  await registry.start();
  let tokenFile: string | undefined;
  if (opts.tokenCsv !== undefined) {
    tokenFile = join(dir, 'tokens.csv');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(tokenFile, opts.tokenCsv);
  }
  const security = await ClusterSecurity.start({
    registry,
    pki,
    ...(tokenFile !== undefined ? { tokenFile } : {}),
  });
  const server = await startApiServer({
    registry,
    ...security.serverOptions(),
    ...(opts.allowAnonymous ? { allowAnonymous: true } : {}),
  });
  const request = (path: string, o: RequestOptions = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const payload =
        o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      const headers: Record<string, string | string[]> = { Accept: 'application/json', ...(o.headers ?? {}) };
      if (payload !== undefined) headers['Content-Type'] = 'application/json';
      if (o.token !== undefined) headers['Authorization'] = `Bearer ${o.token}`;
      const req = httpsRequest(
        `${server.url}${path}`,
        {
          method: o.method ?? (payload === undefined ? 'GET' : 'POST'),
          ca: pki.ca.certPem,
          ...(o.cert ? { cert: o.cert.certPem, key: o.cert.keyPem } : {}),
          headers,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // not JSON (health endpoints answer text)
            }
            resolve({ status: res.statusCode ?? 0, body, text });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return {
    dir,
    pki,
    registry,
    client: new InProcessApiClient(registry),
    security,
    server,
    request,
    close: async () => {
      await server.close();
      await security.stop();
      registry.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true, failing after `ms`. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
