import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';

import { ApiError, resources, silentLogger } from '@tugboat/core';
import { Registry, ResourceRegistry, startApiServer, type RunningApiServer } from '@tugboat/apiserver';
import { MemoryStore } from '@tugboat/store-memory';
import { generate } from 'selfsigned';

import { HttpApiClient, loadKubeconfig } from '../src/index.js';

describe('HttpApiClient over TLS, configured from a kubeconfig', () => {
  let store: MemoryStore;
  let server: RunningApiServer;
  let dir: string;
  let pems: { cert: string; key: string; clientCert: string; clientKey: string };
  const users: string[] = [];

  beforeAll(async () => {
    const result = await generate([{ name: 'commonName', value: 'tugboat-test' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'localhost' },
          ],
        },
      ],
      clientCertificate: { cn: 'jane', algorithm: 'sha256' },
    });
    pems = {
      cert: result.cert,
      key: result.private,
      clientCert: result.clientcert ?? '',
      clientKey: result.clientprivate ?? '',
    };
    store = new MemoryStore();
    const registry = new Registry(store, new ResourceRegistry(), silentLogger);
    server = await startApiServer({
      registry,
      tls: { key: pems.key, cert: pems.cert, ca: pems.cert },
      authenticator: {
        authenticate: (req: IncomingMessage) => {
          const socket = req.socket;
          const auth = req.headers.authorization;
          let name: string | undefined;
          if (socket instanceof TLSSocket && socket.authorized)
            name = String(socket.getPeerCertificate().subject.CN);
          else if (auth === 'Bearer secret') name = 'token-user';
          if (name !== undefined) users.push(name);
          return Promise.resolve(name === undefined ? undefined : { name, groups: ['system:authenticated'] });
        },
      },
    });
    dir = await mkdtemp(join(tmpdir(), 'tug-client-'));
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const b64 = (s: string): string => Buffer.from(s).toString('base64');

  it('verifies the server with the kubeconfig CA and authenticates with the client certificate', async () => {
    await writeFile(join(dir, 'ca.crt'), pems.cert);
    const path = join(dir, 'cert.kubeconfig');
    await writeFile(
      path,
      `apiVersion: v1
kind: Config
current-context: c
clusters: [{name: k, cluster: {server: "${server.url}", certificate-authority: ca.crt}}]
users: [{name: u, user: {client-certificate-data: ${b64(pems.clientCert)}, client-key-data: ${b64(pems.clientKey)}}}]
contexts: [{name: c, context: {cluster: k, user: u, namespace: team}}]
`,
    );
    const options = loadKubeconfig(path);
    expect(options.namespace).toBe('team');
    const client = new HttpApiClient(options);
    users.length = 0;
    const list = await client.list(resources.Namespaces, {});
    expect(list.items.map((n) => n.metadata?.name)).toContain('default');
    expect(users).toEqual(['jane']);
    client.close();
  });

  it('authenticates with a bearer token and can skip verification when told to', async () => {
    const path = join(dir, 'token.kubeconfig');
    await writeFile(
      path,
      `apiVersion: v1
kind: Config
current-context: t
clusters: [{name: k, cluster: {server: "${server.url}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: secret}}]
contexts: [{name: t, context: {cluster: k, user: u}}]
`,
    );
    const client = new HttpApiClient(loadKubeconfig(path));
    users.length = 0;
    await client.get(resources.Namespaces, 'default');
    expect(users).toEqual(['token-user']);
    client.close();
    const wrong = new HttpApiClient(Object.assign({}, loadKubeconfig(path), { token: 'wrong' }));
    const err = await wrong.get(resources.Namespaces, 'default').catch((e: unknown) => e);
    expect(ApiError.is(err, 'Unauthorized')).toBe(true);
    wrong.close();
  });

  it('refuses a server it cannot verify, as an Unavailable ApiError', async () => {
    const client = new HttpApiClient({ server: server.url, token: 'secret' });
    const err = await client.get(resources.Namespaces, 'default').catch((e: unknown) => e);
    expect(ApiError.is(err, 'Unavailable')).toBe(true);
    client.close();
  });

  it('reports unusable kubeconfigs as BadRequest naming the problem', async () => {
    const missing = (() => {
      try {
        return loadKubeconfig(join(dir, 'nope'));
      } catch (e) {
        return e;
      }
    })();
    expect(ApiError.is(missing, 'BadRequest')).toBe(true);
    const path = join(dir, 'bad.kubeconfig');
    await writeFile(path, 'apiVersion: v1\ncurrent-context: gone\ncontexts: []\n');
    expect(() => loadKubeconfig(path)).toThrow(/context "gone" not found/);
    await writeFile(
      path,
      'apiVersion: v1\ncurrent-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: "https://x", certificate-authority: /no/such/ca}}]\nusers: [{name: u, user: {}}]\n',
    );
    expect(() => loadKubeconfig(path)).toThrow(/certificate-authority/);
    await writeFile(path, ': : :\n  - [');
    expect(() => loadKubeconfig(path)).toThrow(ApiError);
  });
});
