import type { ServerResponse } from 'node:http';

import type { NonResourceHandler, NonResourceRequest } from '@tugboat/apiserver';
import { ApiError } from '@tugboat/core';

import { loadAssets, type Asset } from './internal/assets.js';

/**
 * The Content-Security-Policy of every dashboard response: scripts, styles, images and API calls
 * from the server itself only, no inline code, no framing, no forms.
 */
export const dashboardContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The dashboard's request handler, mounted by the API server at `/ui` (its `nonResourceHandlers`):
 * serves the page (HTML, ES modules, CSS) that lists nodes, pods, deployments, services and events
 * live through list + watch against the same origin, and shows a pod's logs. The server has already
 * authenticated and authorized the path; the page's API calls are authorized on their own, so a
 * reader sees only what they may read. `/ui` redirects to `/ui/`; an unknown file is `NotFound`.
 */
export class Dashboard implements NonResourceHandler {
  readonly prefix = '/ui';
  private readonly assets: ReadonlyMap<string, Asset> = loadAssets();

  handle(request: NonResourceRequest, res: ServerResponse): Promise<number> {
    const rest = request.path.slice(this.prefix.length);
    if (rest === '') {
      // Relative, so the page also works behind a proxy that mounts the API under a prefix.
      res.writeHead(302, { Location: 'ui/', 'Content-Length': 0, ...securityHeaders });
      res.end();
      return Promise.resolve(302);
    }
    const name = rest === '/' ? 'index.html' : rest.slice(1);
    const asset = this.assets.get(name);
    if (asset === undefined)
      return Promise.reject(new ApiError('NotFound', `the dashboard has no file "${name}"`));
    res.writeHead(200, {
      'Content-Type': asset.contentType,
      'Content-Length': asset.body.length,
      'Cache-Control': asset.cacheControl,
      ...securityHeaders,
    });
    res.end(request.req.method === 'HEAD' ? undefined : asset.body);
    return Promise.resolve(200);
  }
}

const securityHeaders = {
  'Content-Security-Policy': dashboardContentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;
