import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';

import { ApiError, silentLogger } from '@tugboat/core';

import type { UserInfo } from '../registry/RequestContext.js';
import { wantsAggregatedDiscovery } from './accept.js';
import { decodeObjectBody, mediaType, readBody } from './body.js';
import { adminAuthenticator, allowAllAuthorizer, unavailableNodeProxy } from './defaultHooks.js';
import { aggregatedDiscoveryType, Discovery } from './discovery/Discovery.js';
import { forbiddenError } from './forbidden.js';
import type { AuthorizationAttributes, NonResourceHandler } from './hooks.js';
import { OpenApi } from './openapi/OpenApi.js';
import { requestInfo, type RequestInfo } from './requestInfo.js';
import { methodNotAllowed, notFound, ResourceHandler } from './ResourceHandler.js';
import { sendError, sendJson } from './respond.js';
import { ServerMetrics } from './ServerMetrics.js';
import type { ServerOptions } from './ServerOptions.js';
import { serveWatch } from './WatchStream.js';

/** A running API server. */
export interface RunningApiServer {
  /** `http(s)://host:port`. */
  readonly url: string;
  readonly port: number;
  readonly metrics: ServerMetrics;
  /** Ends every watch, stops listening and closes idle connections. */
  close(): Promise<void>;
}

const anonymous: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
const healthPaths = new Set(['/healthz', '/livez', '/readyz']);

/**
 * Starts the HTTP(S) front of the API server on the registry: discovery, OpenAPI v3, every verb on
 * every served resource (watch as NDJSON), Table output, metrics and health, behind the
 * authentication and authorization hooks. Every error is a Kubernetes `Status`.
 */
export async function startApiServer(options: ServerOptions): Promise<RunningApiServer> {
  const { registry } = options;
  const logger = (options.logger ?? silentLogger).child({ component: 'apiserver-http' });
  const authenticator = options.authenticator ?? adminAuthenticator;
  const authorizer = options.authorizer ?? allowAllAuthorizer;
  const nodeProxy = options.nodeProxy ?? unavailableNodeProxy;
  const endpoints = options.endpoints ?? [];
  const mounted = checkedHandlers(options.nonResourceHandlers ?? []);
  const heartbeatMs = options.watchHeartbeatMs ?? 15_000;
  const discovery = new Discovery(registry.resources);
  const openapi = new OpenApi(registry);
  const metrics = new ServerMetrics();
  const handler = new ResourceHandler(registry, openapi, nodeProxy, options.maxBodyBytes ?? 3 * 1024 * 1024);
  const watches = new Set<() => void>();
  const tracker = { add: (close: () => void) => (watches.add(close), () => watches.delete(close)) };
  const gitVersion = options.version ?? 'v1.32.0-tugboat';
  await registry.start();

  const identify = async (req: IncomingMessage): Promise<UserInfo> => {
    const user = await authenticator.authenticate(req);
    if (user !== undefined) return user;
    if (options.allowAnonymous) return anonymous;
    throw new ApiError('Unauthorized', 'Unauthorized');
  };

  const authorize = async (user: UserInfo, info: RequestInfo): Promise<void> => {
    const attributes: AuthorizationAttributes = {
      user,
      verb: info.verb,
      resourceRequest: info.resourceRequest,
      apiGroup: info.group,
      apiVersion: info.version,
      resource: info.resource,
      ...(info.subresource !== undefined ? { subresource: info.subresource } : {}),
      ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
      ...(info.name !== undefined ? { name: info.name } : {}),
      path: info.path,
    };
    const decision = await authorizer.authorize(attributes);
    if (!decision.allowed) throw forbiddenError(attributes, decision.reason);
  };

  const route = async (
    req: IncomingMessage,
    res: ServerResponse,
    info: RequestInfo,
    query: URLSearchParams,
    user: UserInfo,
  ): Promise<number> => {
    const method = req.method ?? 'GET';
    const pretty = query.get('pretty') === 'true' || query.get('pretty') === '1';
    if (info.resourceRequest) {
      const endpoint = endpoints.find(
        (e) =>
          e.group === info.group &&
          e.version === info.version &&
          e.resource === info.resource &&
          e.subresource === info.subresource,
      );
      if (endpoint !== undefined) {
        if (method !== 'POST') throw methodNotAllowed(method, info.path);
        const body = decodeObjectBody(
          mediaType(req),
          await readBody(req, options.maxBodyBytes ?? 3 * 1024 * 1024),
        );
        const result = await endpoint.create({
          user,
          ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
          ...(info.name !== undefined ? { name: info.name } : {}),
          body,
          query,
        });
        return json(res, 201, result, pretty);
      }
      const def = registry.resources.lookup(info.group, info.version, info.resource);
      if (def === undefined) throw notFound(info.path);
      if (!def.namespaced && info.namespace !== undefined && info.resource !== 'namespaces')
        throw notFound(info.path);
      const state = { req, res, info, query, user, def, pretty };
      if (info.verb === 'watch') {
        if (info.subresource !== undefined) throw notFound(info.path);
        // Read-only computed resources (area H: metrics.k8s.io) serve no watch.
        if (!def.verbs.includes('watch')) throw methodNotAllowed(method, info.path);
        const closed = metrics.watchOpened(info.resource);
        await serveWatch(registry, state, tracker, heartbeatMs).finally(closed);
        return 200;
      }
      return handler.handle(state);
    }
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, info.path);
    const path = info.path.replace(/\/+$/, '') || '/';
    const aggregated = wantsAggregatedDiscovery(req.headers.accept);
    const nonResource = mounted.find((h) => info.path === h.prefix || info.path.startsWith(`${h.prefix}/`));
    if (nonResource !== undefined) return nonResource.handle({ user, path: info.path, query, req }, res);
    if (path === '/metrics') {
      const { contentType, body } = await metrics.render();
      res.writeHead(200, { 'Content-Type': contentType });
      res.end(body);
      return 200;
    }
    if (healthPaths.has(path) || [...healthPaths].some((p) => path.startsWith(`${p}/`))) {
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end('ok');
      return 200;
    }
    if (path === '/version') {
      return json(
        res,
        200,
        {
          major: '1',
          minor: '32',
          gitVersion,
          gitCommit: '',
          gitTreeState: 'clean',
          buildDate: '',
          goVersion: '',
          compiler: 'tugboat',
          platform: `${process.platform}/${process.arch}`,
        },
        pretty,
      );
    }
    if (path === '/api') {
      if (aggregated)
        return json(res, 200, discovery.aggregated(true), pretty, {
          'Content-Type': aggregatedDiscoveryType,
        });
      return json(res, 200, discovery.apiVersions(req.headers.host ?? ''), pretty);
    }
    if (path === '/apis') {
      if (aggregated)
        return json(res, 200, discovery.aggregated(false), pretty, {
          'Content-Type': aggregatedDiscoveryType,
        });
      return json(res, 200, discovery.apiGroupList(), pretty);
    }
    if (info.prefix === 'apis' && info.version === '') {
      const group = discovery.apiGroup(info.group);
      if (group === undefined) throw notFound(info.path);
      return json(res, 200, group, pretty);
    }
    if (info.prefix !== undefined && info.version !== '') {
      if (info.prefix === 'api' && info.group !== '') throw notFound(info.path);
      const list = discovery.apiResourceList(info.group, info.version);
      if (list === undefined) throw notFound(info.path);
      return json(res, 200, list, pretty);
    }
    if (path === '/openapi/v3') return json(res, 200, await openapi.root(), pretty);
    if (path.startsWith('/openapi/v3/')) {
      const doc = await openapi.document(path.slice('/openapi/v3/'.length));
      if (doc === undefined) throw notFound(info.path);
      const etag = `"${doc.hash}"`;
      const headers: Record<string, string> = { 'Content-Type': 'application/json', ETag: etag };
      if (query.has('hash')) headers['Cache-Control'] = 'public, immutable';
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers);
        res.end();
        return 304;
      }
      res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(doc.body) });
      res.end(doc.body);
      return 200;
    }
    throw notFound(info.path);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const done = metrics.begin();
    let verb = (req.method ?? 'GET').toLowerCase();
    let resource = '';
    void (async () => {
      let code: number;
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
        verb = info.verb;
        resource = info.subresource !== undefined ? `${info.resource}/${info.subresource}` : info.resource;
        const user = await identify(req);
        await authorize(user, info);
        code = await route(req, res, info, url.searchParams, user);
      } catch (err) {
        if (!ApiError.is(err))
          logger.error('request failed', { err: String(err), method: req.method, url: req.url });
        code = sendError(res, err);
        // Let the client finish sending what it started, so it can read the answer.
        if (!req.complete) req.resume();
      }
      done(verb, resource, code);
    })();
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
        const user = await identify(req);
        await authorize(user, info);
        const sub = info.subresource;
        if (
          !info.resourceRequest ||
          info.resource !== 'pods' ||
          (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward')
        ) {
          throw notFound(info.path);
        }
        if (nodeProxy.upgrade === undefined) throw new ApiError('Unavailable', 'no node agent connection');
        await nodeProxy.upgrade(
          {
            subresource: sub,
            namespace: info.namespace ?? '',
            name: info.name ?? '',
            user,
            query: url.searchParams,
            req,
          },
          socket,
          head,
        );
      } catch (err) {
        const apiError = ApiError.is(err) ? err : new ApiError('Internal', 'an internal error occurred');
        const body = JSON.stringify(apiError.toStatus());
        if (socket.writable) {
          socket.end(
            `HTTP/1.1 ${apiError.httpStatus} ${apiError.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
          );
        }
      }
    })();
  };

  const server: Server = options.tls
    ? createHttpsServer({
        key: options.tls.key,
        cert: options.tls.cert,
        ...(options.tls.ca !== undefined
          ? { ca: options.tls.ca, requestCert: true, rejectUnauthorized: false }
          : {}),
      })
    : createHttpServer();
  server.on('request', onRequest);
  server.on('upgrade', onUpgrade);
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${hostPart}:${port}`,
    port,
    metrics,
    close: async () => {
      for (const close of [...watches]) close();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}

function json(
  res: ServerResponse,
  code: number,
  body: unknown,
  pretty: boolean,
  headers: Record<string, string> = {},
): number {
  sendJson(res, code, body, pretty, headers);
  return code;
}

const reservedPrefixes = ['/api', '/apis', '/openapi', '/metrics', '/version', ...healthPaths];

/** Refuses a handler prefix that is not an absolute path of its own or would shadow the API. */
function checkedHandlers(handlers: readonly NonResourceHandler[]): readonly NonResourceHandler[] {
  for (const { prefix } of handlers) {
    const shadows = reservedPrefixes.some((p) => prefix === p || prefix.startsWith(`${p}/`));
    if (!/^\/[^?#]*[^/?#]$/.test(prefix) || shadows)
      throw new ApiError(
        'BadRequest',
        `non-resource handler prefix ${JSON.stringify(prefix)} must be a path such as "/ui", outside the API paths`,
      );
  }
  return handlers;
}
