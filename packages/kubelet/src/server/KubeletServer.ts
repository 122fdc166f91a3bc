import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import { ApiError, realClock, type Clock, type Logger, type Runtime, type corev1 } from '@tugboat/core';
import { WebSocketServer, type WebSocket } from 'ws';

import type { KubeletTlsOptions } from '../KubeletOptions.js';
import { parseLogOptions, queryFlag } from './LogOptions.js';
import { NodeStatsSampler } from './NodeStatsSampler.js';
import {
  execProtocols,
  runAttachSession,
  runExecSession,
  type AttachRequest,
  type ExecRequest,
} from './runExecSession.js';
import { statsSummary } from './statsSummary.js';
import { writeContainerLogs } from './writeContainerLogs.js';

/** A container instance the server can show logs of or exec into. */
export interface LocatedContainer {
  readonly podUid: string;
  readonly containerName: string;
  readonly containerId: string;
  /** Absolute path of its CRI-format log file. */
  readonly logPath: string;
  readonly running: boolean;
}

/** How the server finds a pod's containers: implemented by the kubelet's pod bookkeeping. */
export interface ContainerLocator {
  /**
   * The current (or, with `previous`, the last terminated) instance of a container. Without a
   * container name: the pod's only container. Throws `NotFound`/`BadRequest` with messages as
   * upstream's (`container "x" in pod "p" is waiting to start: ContainerCreating`, …).
   */
  locate(
    namespace: string,
    podName: string,
    containerName: string | undefined,
    previous: boolean,
  ): Promise<LocatedContainer>;
  /** The pods bound to this node that the kubelet runs (for `/pods` and the stats summary). */
  pods(): readonly corev1.Pod[];
}

/** Options of a {@link KubeletServer}. */
export interface KubeletServerOptions {
  readonly nodeName: string;
  readonly runtime: Runtime;
  readonly locator: ContainerLocator;
  readonly tls: KubeletTlsOptions;
  /** Interface to listen on (default `0.0.0.0`, as upstream's kubelet). */
  readonly host?: string;
  /** Port to listen on (default 10250); 0 picks a free one. */
  readonly port?: number;
  readonly logger: Logger;
  /** Time source for followed logs and `sinceSeconds` (default the wall clock). */
  readonly clock?: Clock;
  /** How often a followed log is checked for new lines (default 100 ms). */
  readonly followPollMs?: number;
}

type Route =
  | { readonly kind: 'healthz' | 'pods' | 'summary' }
  | {
      readonly kind: 'logs' | 'exec' | 'attach';
      readonly namespace: string;
      readonly pod: string;
      readonly container?: string;
    };

/**
 * The kubelet's HTTPS server: `/healthz`, `/pods`, `/stats/summary`, `/containerLogs/{ns}/{pod}/{c}`
 * and `/exec/{ns}/{pod}/{c}` and `/attach/{ns}/{pod}/{c}` over WebSocket (`v5.channel.k8s.io`,
 * `v4.channel.k8s.io`). Only clients
 * presenting a certificate signed by `tls.clientCaPem` (the apiserver's kubelet-client
 * certificate) complete the TLS handshake.
 */
export class KubeletServer {
  private server: Server | undefined;
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered: Set<string>) => execProtocols.find((p) => offered.has(p)) ?? false,
  });
  private readonly sessions = new Set<WebSocket>();
  private readonly sampler = new NodeStatsSampler();
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(readonly options: KubeletServerOptions) {
    this.log = options.logger.child({ component: 'kubelet-server' });
    this.clock = options.clock ?? realClock;
  }

  /** Listens; resolves with the port. */
  async start(): Promise<number> {
    const { tls } = this.options;
    const server = createServer({
      cert: tls.certPem,
      key: tls.keyPem,
      ca: tls.clientCaPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res));
    server.on(
      'upgrade',
      (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.onUpgrade(req, socket, head),
    );
    server.on('tlsClientError', (err) => {
      this.log.debug('TLS handshake refused', { err: String(err) });
    });
    this.sampler.sample(this.clock.now());
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => {
        reject(new ApiError('Internal', `kubelet server cannot listen: ${String(err)}`, {}, { cause: err }));
      });
      server.listen(this.options.port ?? 10250, this.options.host ?? '0.0.0.0', () => {
        resolve();
      });
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    this.log.info('kubelet server listening', { port });
    return port;
  }

  /** Stops listening and ends every open log stream and exec session. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const ws of this.sessions) ws.terminate();
    this.wss.close();
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    server.closeAllConnections();
    await closed;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      const route = parseRoute(url.pathname);
      const method = req.method ?? 'GET';
      if (method !== 'GET' && !((route.kind === 'exec' || route.kind === 'attach') && method === 'POST')) {
        throw new ApiError(
          'MethodNotAllowed',
          `the server does not allow this method on the requested resource`,
        );
      }
      switch (route.kind) {
        case 'healthz':
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
          return;
        case 'pods':
          sendJson(res, 200, {
            kind: 'PodList',
            apiVersion: 'v1',
            metadata: {},
            items: this.options.locator.pods(),
          });
          return;
        case 'summary': {
          const node = this.sampler.sample(this.clock.now());
          const { nodeName, runtime, locator } = this.options;
          sendJson(res, 200, await statsSummary(nodeName, node, runtime, locator));
          return;
        }
        case 'exec':
        case 'attach':
          throw new ApiError(
            'BadRequest',
            `Upgrade request required: ${route.kind} needs a WebSocket (v5.channel.k8s.io)`,
          );
        case 'logs': {
          const options = parseLogOptions(url.searchParams, this.clock.now());
          const located = await this.options.locator.locate(
            route.namespace,
            route.pod,
            route.container,
            options.previous,
          );
          await writeContainerLogs(res, located, options, {
            runtime: this.options.runtime,
            clock: this.clock,
            pollMs: this.options.followPollMs ?? 100,
          });
          return;
        }
      }
    } catch (err) {
      const apiError = asApiError(err);
      if (!ApiError.is(err)) this.log.error('kubelet request failed', { url: req.url, err: String(err) });
      if (res.headersSent) res.destroy();
      else sendJson(res, apiError.httpStatus, apiError.toStatus());
    }
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      const route = parseRoute(url.pathname);
      if (route.kind !== 'exec' && route.kind !== 'attach')
        throw new ApiError('NotFound', 'the server could not find the requested resource');
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
        throw new ApiError(
          'BadRequest',
          `upgrade to ${req.headers.upgrade ?? ''} is not supported: use a WebSocket (v5.channel.k8s.io)`,
        );
      }
      const { runtime } = this.options;
      let session: (ws: WebSocket) => Promise<void>;
      if (route.kind === 'exec') {
        const request = await this.execRequest(route, url.searchParams);
        session = (ws) => runExecSession(ws, request, runtime, this.log);
      } else {
        const request = await this.streamsRequest(route, url.searchParams);
        session = (ws) => runAttachSession(ws, request, runtime, this.log);
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.sessions.add(ws);
        void session(ws).finally(() => this.sessions.delete(ws));
      });
    } catch (err) {
      const apiError = asApiError(err);
      const body = JSON.stringify(apiError.toStatus());
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${apiError.httpStatus} ${apiError.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
    }
  }

  private async execRequest(
    route: { namespace: string; pod: string; container?: string },
    query: URLSearchParams,
  ): Promise<ExecRequest> {
    const command = query.getAll('command');
    if (command.length === 0)
      throw new ApiError('BadRequest', 'you must specify at least one command for the container');
    return { ...(await this.streamsRequest(route, query)), command };
  }

  /** The streams and running container an exec or attach asks for. */
  private async streamsRequest(
    route: { namespace: string; pod: string; container?: string },
    query: URLSearchParams,
  ): Promise<AttachRequest> {
    // The apiserver-to-kubelet names are input/output/error; clients talking to us directly send stdin/stdout/stderr.
    const stdin = queryFlag(query, 'stdin') || queryFlag(query, 'input');
    const stdout = queryFlag(query, 'stdout') || queryFlag(query, 'output');
    const stderr = queryFlag(query, 'stderr') || queryFlag(query, 'error');
    const tty = queryFlag(query, 'tty');
    if (!stdin && !stdout && !stderr)
      throw new ApiError('BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
    const located = await this.options.locator.locate(route.namespace, route.pod, route.container, false);
    if (!located.running) {
      throw new ApiError('BadRequest', `container ${located.containerName} is not running`);
    }
    return { containerId: located.containerId, stdin, stdout, stderr, tty };
  }
}

function parseRoute(pathname: string): Route {
  let parts: string[];
  try {
    parts = pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
  } catch {
    throw new ApiError('BadRequest', `malformed path ${pathname}`);
  }
  const [head, namespace, pod, ...rest] = parts;
  if (parts.length === 1 && head === 'healthz') return { kind: 'healthz' };
  if (parts.length === 1 && head === 'pods') return { kind: 'pods' };
  if (parts.length === 2 && head === 'stats' && namespace === 'summary') return { kind: 'summary' };
  const streaming = head === 'exec' || head === 'attach';
  if ((head === 'containerLogs' || streaming) && namespace !== undefined && pod !== undefined) {
    // exec and attach also come as /exec/{ns}/{pod}/{uid}/{container}: the container is the last segment.
    const container = head === 'containerLogs' ? rest[0] : rest[rest.length - 1];
    if (rest.length <= (streaming ? 2 : 1)) {
      return {
        kind: streaming ? head : 'logs',
        namespace,
        pod,
        ...(container !== undefined ? { container } : {}),
      };
    }
  }
  throw new ApiError('NotFound', 'the server could not find the requested resource');
}

function asApiError(err: unknown): ApiError {
  return ApiError.is(err) ? err : new ApiError('Internal', 'an internal error occurred', {}, { cause: err });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
    .end(text);
}
