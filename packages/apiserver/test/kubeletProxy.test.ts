import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resources, silentLogger, type corev1 } from '@tugboat/core';
import { MemoryStore } from '@tugboat/store-memory';

import {
  ClusterPki,
  InProcessApiClient,
  KubeletNodeProxy,
  Registry,
  ResourceRegistry,
  startApiServer,
  type RunningApiServer,
} from '../src/index.js';

/** What the fake kubelet saw of one request. */
interface Seen {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly clientCn: string;
}

/** A stand-in kubelet: requires a client certificate, answers logs by path and echoes exec bytes. */
async function startFakeKubelet(pki: ClusterPki): Promise<{
  server: Server;
  port: number;
  seen: Seen[];
  followsClosed: { count: number };
  push: (s: string) => void;
  finish: () => void;
}> {
  const seen: Seen[] = [];
  const followsClosed = { count: 0 };
  let follower: { write: (s: string) => void; end: () => void } | undefined;
  const server = createServer({
    cert: pki.serving.certPem,
    key: pki.serving.keyPem,
    ca: pki.ca.certPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const record = (req: IncomingMessage): void => {
    const cert = (
      req.socket as unknown as { getPeerCertificate: () => { subject?: { CN?: string } } }
    ).getPeerCertificate();
    seen.push({ url: req.url ?? '', headers: req.headers, clientCn: cert.subject?.CN ?? '' });
  };
  server.on('request', (req, res) => {
    record(req);
    if ((req.url ?? '').includes('missing')) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'BadRequest',
          code: 400,
          message: 'container "missing" in pod "web" is waiting to start: ContainerCreating',
        }),
      );
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('line 1\n');
    if ((req.url ?? '').includes('follow=true')) {
      follower = { write: (s) => res.write(s), end: () => res.end() };
      res.on('close', () => {
        followsClosed.count += 1;
      });
      return;
    }
    res.end('line 2\n');
  });
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    record(req);
    if ((req.url ?? '').includes('command=fail')) {
      socket.end(
        'HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"container not found (\\"app\\")"}',
      );
      return;
    }
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n',
    );
    if (head.length > 0) socket.write(head);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    seen,
    followsClosed,
    push: (s) => follower?.write(s),
    finish: () => follower?.end(),
  };
}

function pod(name: string, nodeName: string | undefined, containers = ['app']): corev1.Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      ...(nodeName !== undefined ? { nodeName } : {}),
      containers: containers.map((c) => ({ name: c, image: 'busybox:1.35' })),
    },
  };
}

async function until(pred: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('KubeletNodeProxy', () => {
  let dir: string;
  let store: MemoryStore;
  let registry: Registry;
  let api: RunningApiServer;
  let proxy: KubeletNodeProxy;
  let kubelet: Awaited<ReturnType<typeof startFakeKubelet>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tug-kubelet-proxy-'));
    const pki = await ClusterPki.loadOrCreate({ dir });
    const kubeletClient = await pki.issueClientCertificate('kube-apiserver-kubelet-client', [
      'system:masters',
    ]);
    kubelet = await startFakeKubelet(pki);
    store = new MemoryStore();
    registry = new Registry(store, new ResourceRegistry(), silentLogger);
    const client = new InProcessApiClient(registry);
    proxy = new KubeletNodeProxy({
      client,
      clientCertPem: kubeletClient.certPem,
      clientKeyPem: kubeletClient.keyPem,
      kubeletCaPem: pki.ca.certPem,
    });
    api = await startApiServer({ registry, nodeProxy: proxy });
    const node = await client.create(resources.Nodes, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1' },
    });
    await client.updateStatus(resources.Nodes, {
      ...node,
      status: {
        addresses: [
          { type: 'Hostname', address: 'node-1' },
          { type: 'InternalIP', address: '127.0.0.1' },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } },
      },
    });
    await client.create(resources.Pods, pod('web', 'node-1'));
    await client.create(resources.Pods, pod('pending', undefined));
    await client.create(resources.Pods, pod('two', 'node-1', ['a', 'b']));
  });
  afterAll(async () => {
    proxy.close();
    await api.close();
    await new Promise((r) => kubelet.server.close(r));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards pods/log to the kubelet with its client certificate and the same query', async () => {
    const res = await fetch(
      `${api.url}/api/v1/namespaces/default/pods/web/log?container=app&tailLines=5&timestamps=true`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('line 1\nline 2\n');
    const last = kubelet.seen[kubelet.seen.length - 1];
    expect(last?.url).toBe('/containerLogs/default/web/app?tailLines=5&timestamps=true');
    expect(last?.clientCn).toBe('kube-apiserver-kubelet-client');
  });

  it('streams a followed log as the kubelet writes it, until the kubelet ends it', async () => {
    const res = await fetch(`${api.url}/api/v1/namespaces/default/pods/web/log?follow=true`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString();
      }
    })();
    await until(() => text === 'line 1\n', 'the first line');
    kubelet.push('line 2\n');
    await until(() => text === 'line 1\nline 2\n', 'the pushed line');
    kubelet.finish();
    await pump;
    expect(text).toBe('line 1\nline 2\n');
  });

  it('abandons the kubelet request of a followed log when the client goes away', async () => {
    const before = kubelet.followsClosed.count;
    const controller = new AbortController();
    const res = await fetch(`${api.url}/api/v1/namespaces/default/pods/web/log?follow=true`, {
      signal: controller.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(Buffer.from((await reader.read()).value ?? []).toString()).toBe('line 1\n');
    controller.abort();
    await until(() => kubelet.followsClosed.count > before, 'the kubelet side to close');
  });

  it('relays a kubelet error as its Status and code', async () => {
    const res = await fetch(`${api.url}/api/v1/namespaces/default/pods/web/log?container=app&missing`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      reason: 'BadRequest',
      message: 'container "missing" in pod "web" is waiting to start: ContainerCreating',
    });
  });

  it('checks the container against the pod as upstream does', async () => {
    const unknown = await fetch(`${api.url}/api/v1/namespaces/default/pods/web/log?container=nope`);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ message: 'container nope is not valid for pod web' });
    const ambiguous = await fetch(`${api.url}/api/v1/namespaces/default/pods/two/log`);
    expect(ambiguous.status).toBe(400);
    expect(await ambiguous.json()).toMatchObject({
      message: 'a container name must be specified for pod two, choose one of: [a b]',
    });
    const missingPod = await fetch(`${api.url}/api/v1/namespaces/default/pods/ghost/log`);
    expect(missingPod.status).toBe(404);
  });

  it('answers an empty log for a pod not on a node yet, and 400 for exec into it', async () => {
    const res = await fetch(`${api.url}/api/v1/namespaces/default/pods/pending/log`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const exec = await upgrade(
      api.url,
      '/api/v1/namespaces/default/pods/pending/exec?command=true&stdout=true',
    );
    expect(exec.head).toMatch(/^HTTP\/1.1 400/);
    expect(exec.head).toContain('pod pending does not have a host assigned');
  });

  it('splices an exec upgrade through to the kubelet once it answers 101', async () => {
    const exec = await upgrade(
      api.url,
      '/api/v1/namespaces/default/pods/web/exec?command=echo&command=hi&container=app&stdout=true',
      Buffer.from('ping'),
    );
    expect(exec.head).toMatch(/^HTTP\/1.1 101/);
    expect(exec.head).toContain('Sec-WebSocket-Protocol: v5.channel.k8s.io');
    await until(() => exec.body().includes('ping'), 'the echoed bytes');
    exec.socket.write('pong');
    await until(() => exec.body().includes('pong'), 'the second echo');
    exec.socket.destroy();
    const last = kubelet.seen[kubelet.seen.length - 1];
    expect(last?.url).toBe('/exec/default/web/app?command=echo&command=hi&stdout=true');
    expect(last?.headers['sec-websocket-protocol']).toBe('v5.channel.k8s.io');
    expect(last?.headers.authorization).toBeUndefined();
  });

  it('relays a refused exec upgrade as the kubelet Status', async () => {
    const exec = await upgrade(api.url, '/api/v1/namespaces/default/pods/web/exec?command=fail&stdout=true');
    expect(exec.head).toMatch(/^HTTP\/1.1 404/);
    await until(() => exec.body().includes('container not found'), 'the Status body');
  });

  it('splices an attach upgrade through to the kubelet /attach path', async () => {
    const attach = await upgrade(
      api.url,
      '/api/v1/namespaces/default/pods/web/attach?container=app&stdout=true',
      Buffer.from('ping'),
    );
    expect(attach.head).toMatch(/^HTTP\/1.1 101/);
    await until(() => attach.body().includes('ping'), 'the echoed bytes');
    attach.socket.destroy();
    expect(kubelet.seen[kubelet.seen.length - 1]?.url).toBe('/attach/default/web/app?stdout=true');
  });

  it('says port-forward is not supported yet', async () => {
    const pf = await fetch(`${api.url}/api/v1/namespaces/default/pods/web/portforward?ports=80`, {
      method: 'POST',
    });
    expect(pf.status).toBe(400);
    expect(await pf.json()).toMatchObject({
      message: expect.stringContaining('pods/portforward is not supported yet'),
    });
  });
});

/** Sends a WebSocket-style upgrade request and collects what comes back on the raw socket. */
function upgrade(
  base: string,
  path: string,
  early?: Buffer,
): Promise<{ head: string; body: () => string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Protocol': 'v5.channel.k8s.io',
        Authorization: 'Bearer secret',
      },
    });
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      let body = head.toString();
      socket.on('data', (c: Buffer) => (body += c.toString()));
      socket.on('error', () => undefined);
      const lines = [`HTTP/1.1 ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
        lines.push(`${res.rawHeaders[i] ?? ''}: ${res.rawHeaders[i + 1] ?? ''}`);
      if (early !== undefined) socket.write(early);
      resolve({ head: lines.join('\n'), body: () => body, socket });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        resolve({
          head: `HTTP/1.1 ${res.statusCode ?? 0}\n${body}`,
          body: () => body,
          socket: res.socket,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
