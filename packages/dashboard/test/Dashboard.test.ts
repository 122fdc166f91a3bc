import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry, ResourceRegistry, startApiServer } from '@tugboat/apiserver';
import { ApiError, silentLogger } from '@tugboat/core';
import { MemoryStore } from '@tugboat/store-memory';

import { Dashboard, dashboardContentSecurityPolicy } from '../src/index.js';
import { startSecureServer, tokens, type SecureServer } from './harness.js';

describe('the dashboard handler behind the API server', () => {
  let server: SecureServer;
  beforeAll(async () => {
    server = await startSecureServer([new Dashboard()]);
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 401 without credentials, as every other path', async () => {
    const answer = await server.get('/ui/');
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
    expect(answer.body).not.toContain('<html');
  });

  it('answers 403 to a user without the /ui rule, naming the path', async () => {
    const answer = await server.get('/ui/app.js', { token: tokens.nobody });
    expect(answer.status).toBe(403);
    const status = JSON.parse(answer.body) as { reason: string; message: string };
    expect(status.reason).toBe('Forbidden');
    expect(status.message).toContain('"nobody"');
    expect(status.message).toContain('/ui/app.js');
  });

  it('serves the page to a user bound to view, with a strict CSP, nosniff and no caching', async () => {
    const answer = await server.get('/ui/', { token: tokens.viewer });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['content-security-policy']).toBe(dashboardContentSecurityPolicy);
    expect(dashboardContentSecurityPolicy).toContain("default-src 'none'");
    expect(dashboardContentSecurityPolicy).toContain("script-src 'self'");
    expect(dashboardContentSecurityPolicy).not.toContain('unsafe');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.body).toContain('<script type="module" src="app.js"></script>');
  });

  it('serves each file with its content type and the same security headers', async () => {
    const files: [string, string][] = [
      ['app.js', 'text/javascript; charset=utf-8'],
      ['collection.js', 'text/javascript; charset=utf-8'],
      ['columns.js', 'text/javascript; charset=utf-8'],
      ['dom.js', 'text/javascript; charset=utf-8'],
      ['logs.js', 'text/javascript; charset=utf-8'],
      ['style.css', 'text/css; charset=utf-8'],
      ['favicon.svg', 'image/svg+xml'],
    ];
    for (const [name, type] of files) {
      const answer = await server.get(`/ui/${name}`, { token: tokens.admin });
      expect([name, answer.status, answer.headers['content-type']]).toEqual([name, 200, type]);
      expect(answer.headers['content-security-policy']).toBe(dashboardContentSecurityPolicy);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.body).toBe(readFileSync(new URL(`../static/${name}`, import.meta.url), 'utf8'));
    }
  });

  it('redirects /ui to /ui/ with a relative location, so a proxy prefix is kept', async () => {
    const answer = await server.get('/ui', { token: tokens.viewer });
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('ui/');
  });

  it('answers an unknown file, or one reached by an encoded slash, with a NotFound Status', async () => {
    for (const path of ['/ui/nope.js', '/ui/internal%2Fassets.ts', '/ui/tsconfig.json', '/ui/app.js/']) {
      const answer = await server.get(path, { token: tokens.viewer });
      expect([path, answer.status]).toEqual([path, 404]);
      expect(JSON.parse(answer.body)).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    }
  });

  it('answers HEAD with the headers only, and refuses writes', async () => {
    // As upstream, a non-resource HEAD is authorized as the verb `head`, which cluster-admin has.
    const head = await server.get('/ui/style.css', { token: tokens.admin, method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(head.body).toBe('');
    const post = await server.get('/ui/', { token: tokens.admin, method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('leaves the other non-resource paths alone', async () => {
    const answer = await server.get('/version', { token: tokens.viewer });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ major: '1' });
  });
});

describe('mounting handlers on the API server', () => {
  it('refuses a prefix that is not a path of its own or would shadow the API, before listening', async () => {
    const store = new MemoryStore();
    const registry = new Registry(store, new ResourceRegistry(), silentLogger, {});
    try {
      for (const prefix of ['ui', '/ui/', '/', '/api', '/apis/apps', '/healthz', '']) {
        const handler = { prefix, handle: () => Promise.resolve(200) };
        const err = await startApiServer({ registry, nonResourceHandlers: [handler] }).catch(
          (e: unknown) => e,
        );
        expect([prefix, ApiError.is(err, 'BadRequest')]).toEqual([prefix, true]);
      }
    } finally {
      registry.close();
      await store.close();
    }
  });
});
