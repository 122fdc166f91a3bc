import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';

import { systemAdmin, type AuthorizationAttributes } from '../../src/index.js';
import { call, podBody, startTestServer, type TestServer } from './serverHarness.js';

const deployments = '/apis/apps/v1/namespaces/default/deployments';
const deployment = (name: string): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'busybox' }] },
    },
  },
});

describe('HTTP front: verbs', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('deletes with each propagation policy, from the body or the query', async () => {
    for (const policy of ['Background', 'Foreground', 'Orphan'] as const) {
      const name = `d-${policy.toLowerCase()}`;
      expect((await call(t.url, 'POST', deployments, deployment(name))).status).toBe(201);
      const res = await call(t.url, 'DELETE', `${deployments}/${name}`, {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: policy,
      });
      expect(res.status).toBe(200);
      const after = await call(t.url, 'GET', `${deployments}/${name}`);
      if (policy === 'Background') expect(after.status).toBe(404);
      else {
        // Foreground and Orphan leave the object marked with the finalizer the garbage collector acts on.
        const meta = after.json()['metadata'] as { deletionTimestamp?: string; finalizers?: string[] };
        expect(meta.deletionTimestamp).toBeTruthy();
        expect(meta.finalizers).toContain(policy === 'Foreground' ? 'foregroundDeletion' : 'orphan');
      }
    }
    await call(t.url, 'POST', deployments, deployment('q'));
    await call(t.url, 'DELETE', `${deployments}/q?propagationPolicy=Orphan`);
    expect((await call(t.url, 'GET', `${deployments}/q`)).json()['metadata']).toMatchObject({
      finalizers: ['orphan'],
    });
    const bad = await call(t.url, 'DELETE', `${deployments}/q?propagationPolicy=Sideways`);
    expect(bad.status).toBe(400);
  });

  it('honours delete preconditions and dryRun', async () => {
    await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'c1' } });
    const wrongUid = await call(t.url, 'DELETE', '/api/v1/namespaces/default/configmaps/c1', {
      preconditions: { uid: 'nope' },
    });
    expect(wrongUid.status).toBe(409);
    const dry = await call(t.url, 'DELETE', '/api/v1/namespaces/default/configmaps/c1?dryRun=All');
    expect(dry.status).toBe(200);
    expect((await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps/c1')).status).toBe(200);
    const gone = await call(t.url, 'DELETE', '/api/v1/namespaces/default/configmaps/c1');
    expect(gone.status).toBe(200);
    expect((await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps/c1')).status).toBe(404);
  });

  it('deletes a collection selected by labels', async () => {
    for (const [name, tier] of [
      ['a', 'x'],
      ['b', 'x'],
      ['c', 'y'],
    ]) {
      await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', {
        metadata: { name: `dc-${name}`, labels: { tier } },
      });
    }
    const res = await call(t.url, 'DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=tier%3Dx');
    expect(res.status).toBe(200);
    const left = (
      await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps?labelSelector=tier')
    ).json()['items'] as { metadata: { name: string } }[];
    expect(left.map((c) => c.metadata.name)).toEqual(['dc-c']);
  });

  it('pages lists with limit and continue', async () => {
    for (let i = 0; i < 5; i++)
      await call(t.url, 'POST', '/api/v1/namespaces/default/secrets', { metadata: { name: `s${i}` } });
    const first = (await call(t.url, 'GET', '/api/v1/namespaces/default/secrets?limit=2')).json();
    const meta = first['metadata'] as { continue: string };
    expect((first['items'] as unknown[]).length).toBe(2);
    expect(meta.continue).toBeTruthy();
    const second = (
      await call(
        t.url,
        'GET',
        `/api/v1/namespaces/default/secrets?limit=10&continue=${encodeURIComponent(meta.continue)}`,
      )
    ).json();
    expect((second['items'] as unknown[]).length).toBe(3);
  });

  it('serves status, scale (GET, merge PATCH) and binding subresources', async () => {
    await call(t.url, 'POST', deployments, deployment('sc'));
    const scale = await call(t.url, 'GET', `${deployments}/sc/scale`);
    expect(scale.json()).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 1 },
    });
    const patched = await call(
      t.url,
      'PATCH',
      `${deployments}/sc/scale`,
      { spec: { replicas: 4 } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(patched.status).toBe(200);
    expect(
      ((await call(t.url, 'GET', `${deployments}/sc`)).json()['spec'] as { replicas: number }).replicas,
    ).toBe(4);
    const status = await call(
      t.url,
      'PATCH',
      `${deployments}/sc/status`,
      { status: { replicas: 2 } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect((status.json()['status'] as { replicas: number }).replicas).toBe(2);
    await call(t.url, 'POST', '/api/v1/namespaces/default/pods', podBody('bind-me'));
    const binding = await call(t.url, 'POST', '/api/v1/namespaces/default/pods/bind-me/binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'bind-me' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' },
    });
    expect(binding.status).toBeLessThan(300);
    expect(
      (
        (await call(t.url, 'GET', '/api/v1/namespaces/default/pods/bind-me')).json()['spec'] as {
          nodeName: string;
        }
      ).nodeName,
    ).toBe('node-a');
  });
});

describe('HTTP front: authentication and authorization hooks', () => {
  let t: TestServer;
  const seen: AuthorizationAttributes[] = [];
  beforeAll(async () => {
    t = await startTestServer({
      authenticator: {
        authenticate: (req: IncomingMessage) =>
          Promise.resolve(
            req.headers.authorization === 'Bearer admin'
              ? systemAdmin
              : req.headers.authorization === 'Bearer viewer'
                ? { name: 'viewer', groups: ['system:authenticated'] }
                : undefined,
          ),
      },
      authorizer: {
        authorize: (a) => {
          seen.push(a);
          return Promise.resolve(
            a.user.name === 'viewer' && a.verb !== 'get' && a.verb !== 'list'
              ? { allowed: false, reason: 'read-only' }
              : { allowed: true },
          );
        },
      },
    });
  });
  afterAll(() => t.close());

  it('answers 401 to unauthenticated requests and 403 with upstream wording to denied ones', async () => {
    const anon = await call(t.url, 'GET', '/api/v1/namespaces/default/pods');
    expect(anon.status).toBe(401);
    expect(anon.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
    expect(
      (
        await call(t.url, 'GET', '/api/v1/namespaces/default/pods', undefined, {
          Authorization: 'Bearer viewer',
        })
      ).status,
    ).toBe(200);
    const denied = await call(t.url, 'POST', '/api/v1/namespaces/default/pods', podBody('x'), {
      Authorization: 'Bearer viewer',
    });
    expect(denied.status).toBe(403);
    expect(denied.json()['message']).toBe(
      'pods is forbidden: User "viewer" cannot create resource "pods" in API group "" in the namespace "default": read-only',
    );
    expect(
      (
        await call(t.url, 'GET', '/api/v1/namespaces/default/pods/x', undefined, {
          Authorization: 'Bearer admin',
        })
      ).status,
    ).toBe(404);
  });

  it('passes upstream-shaped attributes to the authorizer', async () => {
    seen.length = 0;
    await call(t.url, 'GET', '/apis/apps/v1/namespaces/ns1/deployments/web/scale', undefined, {
      Authorization: 'Bearer admin',
    });
    await call(t.url, 'GET', '/api/v1/pods?watch=true&timeoutSeconds=1', undefined, {
      Authorization: 'Bearer admin',
    });
    await call(t.url, 'GET', '/healthz', undefined, { Authorization: 'Bearer admin' });
    expect(seen[0]).toMatchObject({
      verb: 'get',
      resourceRequest: true,
      apiGroup: 'apps',
      apiVersion: 'v1',
      resource: 'deployments',
      subresource: 'scale',
      namespace: 'ns1',
      name: 'web',
    });
    expect(seen[1]).toMatchObject({ verb: 'watch', resource: 'pods', resourceRequest: true });
    expect(seen[1]?.namespace).toBeUndefined();
    expect(seen[2]).toMatchObject({ verb: 'get', resourceRequest: false, path: '/healthz' });
  });
});
