import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

import { ApiError } from '@tugboat/core';

import type { HttpClientOptions } from '../HttpClientOptions.js';

/** A response read in full. */
export interface FullResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * The HTTP(S) plumbing of the client: one keep-alive agent with the TLS material, bearer token
 * and user agent on every request, and network failures turned into `ApiError`s.
 */
export class Transport {
  private readonly url: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(options: HttpClientOptions) {
    try {
      this.url = new URL(options.server);
    } catch {
      throw new ApiError('BadRequest', `invalid server URL ${JSON.stringify(options.server)}`);
    }
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new ApiError('BadRequest', `unsupported server URL scheme ${this.url.protocol}`);
    }
    this.agent =
      this.url.protocol === 'https:'
        ? new HttpsAgent({
            keepAlive: true,
            ...(options.ca !== undefined ? { ca: options.ca } : {}),
            ...(options.cert !== undefined ? { cert: options.cert } : {}),
            ...(options.key !== undefined ? { key: options.key } : {}),
            ...(options.tlsServerName !== undefined ? { servername: options.tlsServerName } : {}),
            rejectUnauthorized: options.insecureSkipTlsVerify !== true,
          })
        : new HttpAgent({ keepAlive: true });
    this.headers = {
      Accept: 'application/json',
      'User-Agent': options.userAgent ?? 'tugboat-client',
      ...(options.token !== undefined ? { Authorization: `Bearer ${options.token}` } : {}),
    };
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Sends a request and reads the whole response. */
  async send(method: string, path: string, body?: { type: string; data: string }): Promise<FullResponse> {
    const res = await this.open(method, path, body, this.timeoutMs);
    const chunks: Buffer[] = [];
    return new Promise((resolve, reject) => {
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'] ?? '',
          body: Buffer.concat(chunks),
        });
      });
      res.on('error', (err) => {
        reject(networkError(err, method, path));
      });
    });
  }

  /** Opens a request and resolves with the response as soon as its headers arrive (for streams). */
  open(
    method: string,
    path: string,
    body?: { type: string; data: string },
    timeoutMs?: number,
    onRequest?: (abort: () => void) => void,
  ): Promise<IncomingMessage> {
    const target = new URL(path, this.url);
    const make = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      let req: ReturnType<typeof make>;
      try {
        req = make(target, {
          method,
          agent: this.agent,
          headers: {
            ...this.headers,
            ...(body !== undefined
              ? { 'Content-Type': body.type, 'Content-Length': String(Buffer.byteLength(body.data)) }
              : {}),
          },
        });
      } catch (err) {
        // Bad TLS material (a malformed key, a certificate OpenSSL refuses) fails here, synchronously.
        reject(
          new ApiError(
            'BadRequest',
            `cannot send ${method} ${target.pathname}: ${(err as Error).message}`,
            {},
            { cause: err },
          ),
        );
        return;
      }
      if (timeoutMs !== undefined) {
        req.setTimeout(timeoutMs, () =>
          req.destroy(
            new ApiError('Timeout', `${method} ${target.pathname} timed out after ${timeoutMs} ms`),
          ),
        );
      }
      req.on('response', resolve);
      req.on('error', (err) => {
        reject(networkError(err, method, target.pathname));
      });
      onRequest?.(() => req.destroy());
      req.end(body?.data);
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

function networkError(err: unknown, method: string, path: string): ApiError {
  if (ApiError.is(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError('Unavailable', `${method} ${path}: ${message}`, {}, { cause: err });
}
