import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

import {
  ApiError,
  realClock,
  resources,
  silentLogger,
  type ApiClient,
  type Clock,
  type Logger,
  type corev1,
} from '@tugboat/core';

import type { NodeProxy, NodeProxyRequest } from './hooks.js';
import { kubeletAddress, kubeletTlsOptions, type KubeletClientTls } from './kubeletConnection.js';

/** Options of a {@link KubeletNodeProxy}. */
export interface KubeletNodeProxyOptions extends KubeletClientTls {
  /** Reads pods and nodes; must be allowed to get both (an admin in-process client). */
  readonly client: ApiClient;
  /**
   * The client certificate and key (PEM) presented to kubelets: upstream's
   * `--kubelet-client-certificate`, CN=kube-apiserver-kubelet-client, O=system:masters, signed by
   * the CA the kubelets trust for clients.
   */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /**
   * CA that signed the kubelets' serving certificates (upstream's `--kubelet-certificate-authority`).
   * Without it the kubelets' certificates are not verified, as upstream does when none is configured.
   */
  readonly kubeletCaPem?: string;
  /** Skip verifying kubelets' serving certificates even when a CA is given. */
  readonly insecureSkipVerify?: boolean;
  /** How long to wait for a kubelet to answer a request's head (default 30 s). */
  readonly dialTimeoutMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** Where a request goes: the kubelet's address and port, and the container it is about. */
interface Target {
  readonly host: string;
  readonly port: number;
  readonly container: string;
}

// Headers that are the caller's credentials towards the apiserver, never the kubelet's business.
const strippedHeaders = new Set(['authorization', 'host', 'cookie', 'proxy-authorization', 'content-length']);

/**
 * The {@link NodeProxy} that serves `pods/log`, `pods/exec` and `pods/attach` by talking to the
 * pod's kubelet over mutual TLS, as upstream's apiserver does: the log is streamed from
 * `/containerLogs/...` (a follow stays open until the kubelet ends it or the client goes away), and
 * an exec or attach upgrade is forwarded to `/exec/...` or `/attach/...` and, once the kubelet
 * answers 101, the two sockets are spliced without reading the frames (upstream's
 * UpgradeAwareHandler). `portforward` is not supported yet.
 */
export class KubeletNodeProxy implements NodeProxy {
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly open = new Set<{ destroy(): void }>();

  constructor(private readonly options: KubeletNodeProxyOptions) {
    this.log = (options.logger ?? silentLogger).child({ component: 'kubelet-proxy' });
    this.clock = options.clock ?? realClock;
  }

  async handle(request: NodeProxyRequest, res: ServerResponse): Promise<void> {
    unsupported(request);
    if (request.subresource !== 'log') {
      throw new ApiError(
        'BadRequest',
        `pods/${request.subresource} requires a connection upgrade (WebSocket)`,
      );
    }
    const target = await this.target(request);
    if (target === undefined) {
      // Upstream answers an empty log for a pod that is not on a node yet.
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end();
      return;
    }
    const path = `/containerLogs/${seg(request.namespace)}/${seg(request.name)}/${seg(target.container)}${forwardedQuery(request.query)}`;
    const upstream = await this.send(target, path, { Accept: '*/*' }, res);
    if (upstream.kind !== 'response')
      throw new ApiError('Internal', 'the kubelet answered a log request with an upgrade');
    const from = upstream.res;
    if (from.statusCode !== 200) throw await statusError(from);
    res.writeHead(200, { 'Content-Type': from.headers['content-type'] ?? 'text/plain' });
    res.flushHeaders();
    const tracked = { destroy: () => from.destroy() };
    this.open.add(tracked);
    await new Promise<void>((resolve) => {
      const finish = (): void => {
        this.open.delete(tracked);
        from.destroy();
        if (!res.writableEnded) res.end();
        resolve();
      };
      res.on('close', finish);
      from.on('end', finish);
      from.on('error', finish);
      from.on('close', finish);
      from.pipe(res, { end: false });
    });
  }

  async upgrade(request: NodeProxyRequest, socket: Duplex, head: Buffer): Promise<void> {
    unsupported(request);
    const target = await this.target(request);
    if (target === undefined)
      throw new ApiError('BadRequest', `pod ${request.name} does not have a host assigned`);
    const path = `/${request.subresource}/${seg(request.namespace)}/${seg(request.name)}/${seg(target.container)}${forwardedQuery(request.query)}`;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.req.headers)) {
      if (value === undefined || strippedHeaders.has(name) || name.startsWith('impersonate-')) continue;
      headers[name] = value;
    }
    headers['connection'] = 'Upgrade';
    const upstream = await this.send(target, path, headers, socket);
    if (upstream.kind === 'response') throw await statusError(upstream.res);
    const { res: answer, socket: kubelet, head: kubeletHead } = upstream;
    const lines = [`HTTP/1.1 101 ${answer.statusMessage ?? 'Switching Protocols'}`];
    for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2)
      lines.push(`${answer.rawHeaders[i] ?? ''}: ${answer.rawHeaders[i + 1] ?? ''}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (kubeletHead.length > 0) socket.write(kubeletHead);
    if (head.length > 0) kubelet.write(head);
    const tracked = { destroy: () => (kubelet.destroy(), socket.destroy()) };
    this.open.add(tracked);
    const teardown = (err?: Error): void => {
      if (err !== undefined)
        this.log.debug(`${request.subresource} connection failed`, { pod: request.name, err: String(err) });
      this.open.delete(tracked);
      kubelet.destroy();
      socket.destroy();
    };
    kubelet.on('error', teardown);
    socket.on('error', teardown);
    kubelet.on('close', () => {
      teardown();
    });
    socket.on('close', () => {
      teardown();
    });
    kubelet.pipe(socket);
    socket.pipe(kubelet);
  }

  /** Ends every log stream and exec connection in flight (call before closing the server). */
  close(): void {
    for (const c of [...this.open]) c.destroy();
    this.open.clear();
  }

  /** The pod's kubelet and container; `undefined` when the pod is not bound to a node yet. */
  private async target(request: NodeProxyRequest): Promise<Target | undefined> {
    const { client } = this.options;
    const pod = await client.get(resources.Pods, request.name, { namespace: request.namespace });
    const container = containerOf(pod, request.query.get('container') ?? '');
    const nodeName = pod.spec?.nodeName ?? '';
    if (nodeName === '') return undefined;
    const { host, port } = kubeletAddress(await client.get(resources.Nodes, nodeName));
    return { host, port, container };
  }

  /** Sends a request to a kubelet; resolves with its response, or the upgraded socket on 101. */
  private send(
    target: Target,
    path: string,
    headers: Record<string, string | string[]>,
    /** The client's side: when it closes, the request to the kubelet is abandoned. */
    client: NodeJS.EventEmitter,
  ): Promise<
    | { kind: 'response'; res: IncomingMessage }
    | { kind: 'upgrade'; res: IncomingMessage; socket: Socket; head: Buffer }
  > {
    const o = this.options;
    return new Promise((resolve, reject) => {
      const req = httpsRequest({
        host: target.host,
        port: target.port,
        path,
        method: 'GET',
        headers,
        ...kubeletTlsOptions(o),
        agent: false,
      });
      const timer = this.clock.setTimeout(() => {
        req.destroy(new Error(`no answer within ${(o.dialTimeoutMs ?? 30_000) / 1000}s`));
      }, o.dialTimeoutMs ?? 30_000);
      const gone = (): void => void req.destroy(new Error('the client went away'));
      client.once('close', gone);
      const settle = (): void => {
        this.clock.clearTimeout(timer);
        client.off('close', gone);
      };
      req.on('response', (res) => {
        settle();
        resolve({ kind: 'response', res });
      });
      req.on('upgrade', (res, socket, head) => {
        settle();
        resolve({ kind: 'upgrade', res, socket, head });
      });
      req.on('error', (err) => {
        settle();
        reject(
          new ApiError(
            'Internal',
            `error dialing backend: https://${target.host}:${target.port}: ${err.message}`,
            {},
            { cause: err },
          ),
        );
      });
      req.end();
    });
  }
}

function unsupported(request: NodeProxyRequest): void {
  if (request.subresource === 'portforward') {
    throw new ApiError('BadRequest', `pods/${request.subresource} is not supported yet by this apiserver`);
  }
}

/** The container a request is about, checked against the pod as upstream's apiserver does. */
function containerOf(pod: corev1.Pod, wanted: string): string {
  const name = pod.metadata?.name ?? '';
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  const others = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map(
    (c) => c.name,
  );
  if (wanted === '') {
    if (containers.length === 1 && containers[0] !== undefined) return containers[0];
    const init = others.length > 0 ? ` or one of the init containers: [${others.join(' ')}]` : '';
    throw new ApiError(
      'BadRequest',
      `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${init}`,
    );
  }
  if (!containers.includes(wanted) && !others.includes(wanted)) {
    throw new ApiError('BadRequest', `container ${wanted} is not valid for pod ${name}`);
  }
  return wanted;
}

function seg(s: string): string {
  return encodeURIComponent(s);
}

/** The query forwarded to the kubelet: everything but the container, which is in the path. */
function forwardedQuery(query: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const [k, v] of query) if (k !== 'container') out.append(k, v);
  const s = out.toString();
  return s === '' ? '' : `?${s}`;
}

/** A kubelet's non-success answer as an ApiError: its Status when it sent one, else its text. */
async function statusError(res: IncomingMessage): Promise<ApiError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size < 64 * 1024) chunks.push(chunk);
    size += chunk.length;
  }
  const text = Buffer.concat(chunks).toString();
  const code = res.statusCode ?? 500;
  try {
    const parsed = JSON.parse(text) as Parameters<typeof ApiError.fromStatus>[0] & { kind?: string };
    if (parsed.kind === 'Status') return ApiError.fromStatus(parsed, code);
  } catch {
    // Not JSON: the text itself is the message.
  }
  return ApiError.fromStatus({ message: text.trim() || `the kubelet answered ${code}` }, code);
}
