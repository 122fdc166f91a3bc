import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resources } from '@tugboat/core';

import { startSecuredServer, type SecuredServer } from './securityHarness.js';

type Cert = { certPem: string; keyPem: string };

describe('authentication and authorization over HTTPS', () => {
  let s: SecuredServer;
  let nobody: Cert;
  beforeAll(async () => {
    s = await startSecuredServer();
    nobody = await s.pki.issueClientCertificate('nobody', []);
    await s.client.create(resources.Pods, {
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] },
    });
  });
  afterAll(() => s.close());

  // Every row has all four columns: jest passes a callback for parameters a row leaves out.
  const routes: [string, string, string | undefined, unknown][] = [
    ['resource list', '/api/v1/namespaces/default/pods', undefined, undefined],
    ['resource get', '/api/v1/namespaces/default/pods/p', undefined, undefined],
    ['cluster resource', '/api/v1/nodes', undefined, undefined],
    ['group resource', '/apis/apps/v1/deployments', undefined, undefined],
    ['watch', '/api/v1/pods?watch=true&timeoutSeconds=1', undefined, undefined],
    ['subresource', '/api/v1/namespaces/default/pods/p/status', undefined, undefined],
    ['create', '/api/v1/namespaces/default/configmaps', 'POST', { metadata: { name: 'c' } }],
    ['delete', '/api/v1/namespaces/default/pods/p', 'DELETE', undefined],
    [
      'token subresource',
      '/api/v1/namespaces/default/serviceaccounts/default/token',
      'POST',
      { kind: 'TokenRequest' },
    ],
    ['metrics', '/metrics', undefined, undefined],
  ];

  it.each(routes)('%s: 401 without credentials', async (_what, path, method, body) => {
    const res = await s.request(path, {
      ...(method ? { method } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
  });

  it.each(routes)('%s: 403 for an authenticated user without rights', async (_what, path, method, body) => {
    const res = await s.request(path, {
      cert: nobody,
      ...(method ? { method } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    expect((res.body as { message: string }).message).toContain('User "nobody" cannot');
  });

  it.each([
    '/api',
    '/api/v1',
    '/apis',
    '/apis/apps/v1',
    '/openapi/v3',
    '/version',
    '/healthz',
    '/readyz',
    '/livez',
  ])('%s is open to every authenticated user (system:discovery, system:public-info-viewer)', async (path) => {
    expect((await s.request(path, { cert: nobody })).status).toBe(200);
    expect((await s.request(path)).status).toBe(401);
  });

  it('lets the admin do everything', async () => {
    expect((await s.request('/api/v1/namespaces/default/pods/p', { cert: s.pki.admin })).status).toBe(200);
    expect((await s.request('/metrics', { cert: s.pki.admin })).status).toBe(200);
  });

  it('answers SelfSubjectAccessReviews for the caller', async () => {
    const review = (spec: unknown, cert: Cert) =>
      s.request('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        cert,
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec },
      });
    const podsCreate = { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } };
    const yes = await review(podsCreate, s.pki.admin);
    expect(yes.status).toBe(201);
    expect(yes.body).toMatchObject({ kind: 'SelfSubjectAccessReview', status: { allowed: true } });
    expect((await review(podsCreate, nobody)).body).toMatchObject({ status: { allowed: false } });
    expect(
      (await review({ nonResourceAttributes: { path: '/api', verb: 'get' } }, nobody)).body,
    ).toMatchObject({ status: { allowed: true } });
    const bad = await review({}, nobody);
    expect(bad.status).toBe(422);
    expect((await review(podsCreate, nobody)).status).toBe(201);
    const malformed = await s.request('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      cert: nobody,
      body: '{"spec":',
    });
    expect(malformed.status).toBe(400);
  });

  describe('impersonation', () => {
    it('lets a user with the impersonate verb act as another user and groups', async () => {
      const res = await s.request('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        cert: s.pki.admin,
        headers: { 'Impersonate-User': 'jane', 'Impersonate-Group': ['dev', 'a,b'] },
        body: { kind: 'SelfSubjectReview' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        status: { userInfo: { username: 'jane', groups: ['dev', 'a,b', 'system:authenticated'] } },
      });
    });

    it('gives an impersonated ServiceAccount its groups, and is then authorized as it', async () => {
      const res = await s.request('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        cert: s.pki.admin,
        headers: { 'Impersonate-User': 'system:serviceaccount:default:bot' },
        body: { kind: 'SelfSubjectReview' },
      });
      expect(res.body).toMatchObject({
        status: {
          userInfo: {
            groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
          },
        },
      });
      const list = await s.request('/api/v1/namespaces/default/pods', {
        cert: s.pki.admin,
        headers: { 'Impersonate-User': 'system:serviceaccount:default:bot' },
      });
      expect(list.status).toBe(403);
      expect((list.body as { message: string }).message).toContain('system:serviceaccount:default:bot');
    });

    it('refuses impersonation without the impersonate verb, and groups without a user', async () => {
      const denied = await s.request('/api/v1/namespaces', {
        cert: nobody,
        headers: { 'Impersonate-User': 'kubernetes-admin' },
      });
      expect(denied.status).toBe(403);
      expect((denied.body as { message: string }).message).toContain('cannot impersonate resource "users"');
      const groupOnly = await s.request('/api/v1/namespaces', {
        cert: s.pki.admin,
        headers: { 'Impersonate-Group': 'system:masters' },
      });
      expect(groupOnly.status).toBe(400);
      expect((await s.request('/api/v1/namespaces', { headers: { 'Impersonate-User': 'x' } })).status).toBe(
        401,
      );
    });
  });
});

describe('anonymous requests, when allowed', () => {
  let s: SecuredServer;
  beforeAll(async () => {
    s = await startSecuredServer({ allowAnonymous: true });
  });
  afterAll(() => s.close());

  it('are system:anonymous: the public health paths answer, the rest is 403', async () => {
    expect((await s.request('/healthz')).status).toBe(200);
    expect((await s.request('/version')).status).toBe(200);
    expect((await s.request('/api')).status).toBe(403);
    const pods = await s.request('/api/v1/pods');
    expect(pods.status).toBe(403);
    expect((pods.body as { message: string }).message).toContain('User "system:anonymous"');
  });

  it('still refuse a bad bearer token with 401', async () => {
    expect((await s.request('/healthz', { token: 'bad' })).status).toBe(401);
  });
});
