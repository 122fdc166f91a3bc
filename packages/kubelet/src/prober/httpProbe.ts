import http from 'node:http';
import https from 'node:https';

import type { Clock } from '@tugboat/core';

import { maxProbeOutputBytes } from './execProbe.js';
import { joinHostPort, netErrorMessage } from './netErrorMessage.js';
import type { ProbeOutcome } from './ProbeOutcome.js';

/** The User-Agent upstream's kubelet sends; some servers special-case it. */
export const probeUserAgent = 'kube-probe/1.32';

/** Redirects followed before giving up, as Go's HTTP client. */
const maxRedirects = 10;

/** A GET the httpGet handler performs. */
export interface HttpProbeRequest {
  readonly url: URL;
  /** Header names as given; `Host` sets the request's host. */
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  readonly timeoutMs: number;
}

/**
 * The httpGet handler: GET `url` within `timeoutMs` (redirects included). 200 ≤ status < 400 is
 * success; redirects to the same host are followed, one to another host ends the probe as a
 * success with a warning, as upstream. HTTPS certificates are not verified. At most 10 KiB of the
 * body is read. Aborting `signal` drops the attempt.
 */
export function httpProbe(
  request: HttpProbeRequest,
  clock: Clock,
  signal?: AbortSignal,
): Promise<ProbeOutcome> {
  const headers = probeHeaders(request.headers);
  const origin = request.url;
  return new Promise((resolve) => {
    let done = false;
    let current: http.ClientRequest | undefined;
    let currentUrl = origin;
    const finish = (outcome: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      current?.destroy();
      resolve(outcome);
    };
    const timer = clock.setTimeout(() => {
      finish({
        result: 'failure',
        output: `Get "${currentUrl.href}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
    }, request.timeoutMs);
    const abort = (): void => {
      finish({ result: 'error', output: 'probe cancelled' });
    };
    signal?.addEventListener('abort', abort);

    const get = (url: URL, hops: number): void => {
      currentUrl = url;
      const secure = url.protocol === 'https:';
      const options: https.RequestOptions = { method: 'GET', headers, agent: false };
      if (secure) options.rejectUnauthorized = false;
      const req = (secure ? https : http).request(url, options, (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && location !== undefined) {
          let next: URL | undefined;
          try {
            next = new URL(location, url);
          } catch {
            next = undefined;
          }
          if (next !== undefined && next.hostname === origin.hostname && /^https?:$/.test(next.protocol)) {
            res.resume();
            req.destroy();
            if (hops >= maxRedirects) {
              finish({
                result: 'failure',
                output: `Get "${next.href}": stopped after ${maxRedirects} redirects`,
              });
            } else {
              get(next, hops + 1);
            }
            return;
          }
        }
        readBody(res, (body) => {
          if (status >= 200 && status < 300) finish({ result: 'success', output: body });
          else if (status >= 300 && status < 400)
            finish({ result: 'warning', output: `Probe terminated redirects, Response body: ${body}` });
          else finish({ result: 'failure', output: `HTTP probe failed with statuscode: ${status}` });
        });
      });
      current = req;
      req.on('error', (err) => {
        if (current !== req) return;
        const port = Number(url.port || (secure ? 443 : 80));
        const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
        finish({
          result: 'failure',
          output: `Get "${url.href}": ${netErrorMessage(err, joinHostPort(host, port), host)}`,
        });
      });
      req.end();
    };
    if (signal?.aborted) abort();
    else get(origin, 0);
  });
}

/** Reads up to {@link maxProbeOutputBytes} of a response body, then stops reading. */
function readBody(res: http.IncomingMessage, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let called = false;
  const end = (): void => {
    if (called) return;
    called = true;
    res.destroy();
    done(Buffer.concat(chunks).subarray(0, maxProbeOutputBytes).toString('utf8'));
  };
  res.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxProbeOutputBytes) end();
  });
  res.once('end', end);
  // A body cut short still leaves a status to judge by.
  res.on('error', end);
  res.once('close', end);
}

function probeHeaders(given: HttpProbeRequest['headers']): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const { name, value } of given) {
    const key = name.toLowerCase();
    const prior = headers[key];
    headers[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [String(prior)]), value];
  }
  headers['user-agent'] ??= probeUserAgent;
  headers['accept'] ??= '*/*';
  headers['connection'] = 'close';
  return headers;
}
