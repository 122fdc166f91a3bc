import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  ClusterSecurity,
  InProcessApiClient,
  Registry,
  ResourceRegistry,
  startApiServer,
  type NonResourceHandler,
} from '@tugboat/apiserver';
import { resources, silentLogger } from '@tugboat/core';
import { MemoryStore } from '@tugboat/store-memory';
import { testPki } from '@tugboat/test-cluster';

/** Bearer tokens of the test users. */
export const tokens = {
  /** `viewer`, bound to the `view` ClusterRole by a ClusterRoleBinding. */
  viewer: 'viewer-token',
  /** `nobody`: authenticated, bound to nothing. */
  nobody: 'nobody-token',
  /** `root`, in `system:masters`. */
  admin: 'admin-token',
} as const;

/** One HTTPS answer. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** An HTTPS API server with the cluster's security and the given handlers, and a way to call it. */
export interface SecureServer {
  get(path: string, options?: { token?: string; method?: string }): Promise<Answer>;
  close(): Promise<void>;
}

/** Starts the API server as `tug up` secures it (TLS, tokens, RBAC), serving `handlers`. */
export async function startSecureServer(handlers: readonly NonResourceHandler[]): Promise<SecureServer> {
  const pki = await testPki();
  const dir = await mkdtemp(join(tmpdir(), 'tugboat-dashboard-'));
  const tokenFile = join(dir, 'tokens.csv');
  await writeFile(
    tokenFile,
    [
      `${tokens.viewer},viewer,u1`,
      `${tokens.nobody},nobody,u2`,
      `${tokens.admin},root,u3,"system:masters"`,
    ].join('\n'),
  );
  const store = new MemoryStore();
  const registry = new Registry(store, new ResourceRegistry(), silentLogger, {});
  await registry.start();
  await new InProcessApiClient(registry).create(resources.ClusterRoleBindings, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'viewer-view' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'viewer' }],
  });
  const security = await ClusterSecurity.start({ registry, pki, tokenFile });
  const server = await startApiServer({
    registry,
    ...security.serverOptions(),
    nonResourceHandlers: handlers,
  });
  return {
    get: (path, options = {}) =>
      new Promise((resolve, reject) => {
        const req = request(
          `${server.url}${path}`,
          {
            method: options.method ?? 'GET',
            ca: pki.ca.certPem,
            headers: options.token !== undefined ? { Authorization: `Bearer ${options.token}` } : {},
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks).toString(),
              });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end();
      }),
    async close() {
      await server.close();
      await security.stop();
      registry.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
