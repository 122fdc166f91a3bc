import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, resources } from '@tugboat/core';

import { ClusterPki, ServiceAccountTokens, TokenFileAuthenticator } from '../../src/index.js';
import { startSecuredServer, type SecuredServer } from './securityHarness.js';

const whoami = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };
const reviewPath = '/apis/authentication.k8s.io/v1/selfsubjectreviews';

interface Review {
  status: {
    userInfo: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> };
  };
}

describe('authentication', () => {
  let s: SecuredServer;
  beforeAll(async () => {
    s = await startSecuredServer({
      tokenCsv: 'tok-alice,alice,1001,"dev,ops"\n# a comment\ntok-bob,bob,1002\n',
    });
  });
  afterAll(() => s.close());

  const userOf = async (
    o: Parameters<SecuredServer['request']>[1],
  ): Promise<Review['status']['userInfo']> => {
    const res = await s.request(reviewPath, { ...o, body: whoami });
    expect(res.status).toBe(201);
    return (res.body as Review).status.userInfo;
  };

  it('takes the user from a client certificate: CN is the name, each O a group', async () => {
    expect(await userOf({ cert: s.pki.admin })).toEqual({
      username: 'kubernetes-admin',
      groups: ['system:masters', 'system:authenticated'],
    });
    const jane = await s.pki.issueClientCertificate('jane', ['dev', 'qa']);
    expect(await userOf({ cert: jane })).toEqual({
      username: 'jane',
      groups: ['dev', 'qa', 'system:authenticated'],
    });
  });

  it('refuses a client certificate from another CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tug-other-ca-'));
    try {
      const other = await ClusterPki.loadOrCreate({ dir });
      const res = await s.request('/api/v1/namespaces', { cert: other.admin });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts static tokens from the token file with their uid and groups', async () => {
    expect(await userOf({ token: 'tok-alice' })).toEqual({
      username: 'alice',
      uid: '1001',
      groups: ['dev', 'ops', 'system:authenticated'],
    });
    expect(await userOf({ token: 'tok-bob' })).toEqual({
      username: 'bob',
      uid: '1002',
      groups: ['system:authenticated'],
    });
  });

  it('answers 401 for an unknown token and for no credentials', async () => {
    expect((await s.request('/api/v1/namespaces', { token: 'nope' })).status).toBe(401);
    expect((await s.request('/api/v1/namespaces')).status).toBe(401);
    expect((await s.request('/healthz')).status).toBe(401);
  });

  describe('ServiceAccount tokens', () => {
    const requestToken = async (
      name: string,
      spec: Record<string, unknown> = {},
    ): Promise<{ status: number; body: unknown }> =>
      s.request(`/api/v1/namespaces/default/serviceaccounts/${name}/token`, {
        cert: s.pki.admin,
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec },
      });

    it('issues a token through TokenRequest that authenticates as the ServiceAccount', async () => {
      const sa = await s.client.create(resources.ServiceAccounts, {
        metadata: { name: 'robot', namespace: 'default' },
      });
      const res = await requestToken('robot', { expirationSeconds: 900 });
      expect(res.status).toBe(201);
      const body = res.body as {
        status: { token: string; expirationTimestamp: string };
        spec: { audiences: string[] };
      };
      expect(body.status.token.split('.')).toHaveLength(3);
      const lifetime = Date.parse(body.status.expirationTimestamp) - Date.now();
      expect(lifetime).toBeGreaterThan(800_000);
      expect(lifetime).toBeLessThanOrEqual(900_000);
      expect(body.spec.audiences).toEqual([s.security.tokens.issuer]);
      const user = await userOf({ token: body.status.token });
      expect(user.username).toBe('system:serviceaccount:default:robot');
      expect(user.uid).toBe(sa.metadata?.uid);
      expect(user.groups).toEqual([
        'system:serviceaccounts',
        'system:serviceaccounts:default',
        'system:authenticated',
      ]);
    });

    it('serves TokenRequest to in-process clients too (a kubelet in the same process)', async () => {
      const sa = await s.client.create(resources.ServiceAccounts, {
        metadata: { name: 'local', namespace: 'default' },
      });
      const issued = await s.client.createSubresource<{ status: { token: string } }>(
        resources.ServiceAccounts,
        'local',
        'token',
        { spec: { expirationSeconds: 3600 } },
        { namespace: 'default' },
      );
      const user = await userOf({ token: issued.status.token });
      expect(user.username).toBe('system:serviceaccount:default:local');
      expect(user.uid).toBe(sa.metadata?.uid);
      await expect(
        s.client.createSubresource(
          resources.ServiceAccounts,
          'absent',
          'token',
          {},
          { namespace: 'default' },
        ),
      ).rejects.toMatchObject({ code: 'NotFound' });
    });

    it('rejects bad TokenRequests with typed errors', async () => {
      await s.client.create(resources.ServiceAccounts, {
        metadata: { name: 'shortlived', namespace: 'default' },
      });
      const short = await requestToken('shortlived', { expirationSeconds: 60 });
      expect(short.status).toBe(422);
      expect(short.body).toMatchObject({
        reason: 'Invalid',
        details: { causes: [{ field: 'spec.expirationSeconds' }] },
      });
      expect((await requestToken('missing')).status).toBe(404);
      const secretRef = await requestToken('shortlived', { boundObjectRef: { kind: 'Secret', name: 'x' } });
      expect(secretRef.status).toBe(422);
      const get = await s.request('/api/v1/namespaces/default/serviceaccounts/shortlived/token', {
        cert: s.pki.admin,
      });
      expect(get.status).toBe(405);
    });

    it('refuses expired tokens, tokens signed by another key and tokens for other audiences', async () => {
      const sa = await s.client.create(resources.ServiceAccounts, {
        metadata: { name: 'checked', namespace: 'default' },
      });
      const ref = { name: 'checked', uid: sa.metadata?.uid ?? '' };
      const expired = await s.security.tokens.issue({
        namespace: 'default',
        serviceAccount: ref,
        expirationSeconds: -60,
      });
      expect((await s.request(reviewPath, { token: expired.token, body: whoami })).status).toBe(401);
      const dir = mkdtempSync(join(tmpdir(), 'tug-other-key-'));
      try {
        const other = await ClusterPki.loadOrCreate({ dir });
        const forged = await (
          await ServiceAccountTokens.create(other.serviceAccountKey)
        ).issue({ namespace: 'default', serviceAccount: ref, expirationSeconds: 600 });
        const res = await s.request(reviewPath, { token: forged.token, body: whoami });
        expect(res.status).toBe(401);
        expect((res.body as { message: string }).message).toContain('signature');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const elsewhere = await s.security.tokens.issue({
        namespace: 'default',
        serviceAccount: ref,
        audiences: ['vault'],
        expirationSeconds: 600,
      });
      expect((await s.request(reviewPath, { token: elsewhere.token, body: whoami })).status).toBe(401);
    });

    it('revokes tokens when the ServiceAccount is deleted or recreated', async () => {
      await s.client.create(resources.ServiceAccounts, {
        metadata: { name: 'doomed', namespace: 'default' },
      });
      const token = ((await requestToken('doomed')).body as { status: { token: string } }).status.token;
      expect((await s.request(reviewPath, { token, body: whoami })).status).toBe(201);
      await s.client.delete(resources.ServiceAccounts, 'doomed', { namespace: 'default' });
      const gone = await s.request(reviewPath, { token, body: whoami });
      expect(gone.status).toBe(401);
      expect((gone.body as { message: string }).message).toContain('deleted');
      await s.client.create(resources.ServiceAccounts, {
        metadata: { name: 'doomed', namespace: 'default' },
      });
      expect((await s.request(reviewPath, { token, body: whoami })).status).toBe(401);
    });

    it('binds a token to a pod: the pod name shows in extra, and deleting the pod revokes it', async () => {
      await s.client.create(resources.ServiceAccounts, {
        metadata: { name: 'worker', namespace: 'default' },
      });
      const pod = await s.client.create(resources.Pods, {
        metadata: { name: 'w1', namespace: 'default' },
        spec: { serviceAccountName: 'worker', containers: [{ name: 'c', image: 'busybox:1.35' }] },
      });
      const res = await requestToken('worker', {
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'w1', uid: pod.metadata?.uid },
      });
      expect(res.status).toBe(201);
      const token = (res.body as { status: { token: string } }).status.token;
      const user = await userOf({ token });
      expect(user.extra?.['authentication.kubernetes.io/pod-name']).toEqual(['w1']);
      await s.client.delete(resources.Pods, 'w1', { namespace: 'default', gracePeriodSeconds: 0 });
      expect((await s.request(reviewPath, { token, body: whoami })).status).toBe(401);
    });
  });
});

describe('TokenFileAuthenticator', () => {
  it('reads upstream CSV with quoted group lists', async () => {
    const auth = TokenFileAuthenticator.fromCsv('t1,u1,uid1,"a,b"\nt2,u2,uid2\n');
    expect(auth.size).toBe(2);
    expect(await auth.authenticateToken('t1')).toEqual({ name: 'u1', uid: 'uid1', groups: ['a', 'b'] });
    expect(await auth.authenticateToken('t3')).toBeUndefined();
  });

  it.each([
    ['too few columns', 't1,u1\n', /record 1 must have at least 3 columns/],
    ['an empty token', ',u1,uid\n', /record 1 has an empty token/],
    ['a repeated token', 't,a,1\nt,b,2\n', /record 2 repeats the token/],
    ['broken quoting', 't,"u1,1\n', /not valid CSV/],
  ])('refuses a file with %s', (_what, csv, message) => {
    let err: unknown;
    try {
      TokenFileAuthenticator.fromCsv(csv, 'tokens.csv');
    } catch (e) {
      err = e;
    }
    expect(ApiError.is(err, 'Invalid')).toBe(true);
    expect((err as Error).message).toMatch(message);
  });
});
