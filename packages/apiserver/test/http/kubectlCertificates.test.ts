import 'reflect-metadata';

import { webcrypto } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ApiClient,
  ControllerManager,
  Logger,
  controllerRuntimeModule,
  resources,
  silentLogger,
} from '@tugboat/core';
import { MemoryStore } from '@tugboat/store-memory';
import { Container } from 'inversify';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';

import {
  CertificateSigningRequests,
  ClusterPki,
  CsrAdmission,
  InProcessApiClient,
  Registry,
  ResourceRegistry,
  apiserverClientSigner,
  certificateStrategies,
  certificatesModule,
  startApiServer,
  type AuthorizationAttributes,
  type Authorizer,
  type RunningApiServer,
  type UserInfo,
} from '../../src/index.js';
import { Kubectl } from './kubectl.js';

const users: Readonly<Record<string, UserInfo>> = {
  'admin-token': { name: 'admin', groups: ['system:masters', 'system:authenticated'] },
  'alice-token': { name: 'alice', groups: ['system:authenticated'] },
  'bob-token': { name: 'bob', groups: ['system:authenticated'] },
};

/**
 * Masters (the admin, and the controllers in process) may do anything. Alice may only discover the API and read pods in `ns`. Bob may read
 * and update CSRs and their approval subresource, but may not `approve` for any signer.
 */
const authorizer: Authorizer = {
  authorize: (a: AuthorizationAttributes) => {
    const name = a.user.name;
    if (a.user.groups.includes('system:masters')) return Promise.resolve({ allowed: true });
    const discovery = !a.resourceRequest && /^\/(api|apis|openapi|version)(\/|$)/.test(a.path);
    if (discovery) return Promise.resolve({ allowed: true });
    if (name === 'alice')
      return Promise.resolve({
        allowed: a.resource === 'pods' && !a.subresource && a.namespace === 'ns' && a.verb === 'get',
      });
    const csrs = a.apiGroup === 'certificates.k8s.io' && a.resource === 'certificatesigningrequests';
    return Promise.resolve({ allowed: name === 'bob' && csrs });
  },
};

async function csrManifest(name: string, cn: string): Promise<string> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name([{ CN: [cn] }]),
    keys: keys as never,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  return JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: {
      request: Buffer.from(req.toString('pem')).toString('base64'),
      signerName: apiserverClientSigner,
      usages: ['digital signature', 'client auth'],
    },
  });
}

describe('kubectl certificate approve|deny and Forbidden messages (real kubectl v1.32)', () => {
  let dir = '';
  let store: MemoryStore;
  let server: RunningApiServer;
  let container: Container;
  let client: InProcessApiClient;
  let pki: ClusterPki;
  let admin: Kubectl;
  let alice: Kubectl;
  let bob: Kubectl;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tug-kubectl-csr-'));
    pki = await ClusterPki.loadOrCreate({ dir });
    store = new MemoryStore();
    const served = new ResourceRegistry();
    served.add(CertificateSigningRequests);
    const registry = new Registry(store, served, silentLogger, {
      strategies: certificateStrategies(),
      admissionPlugins: [new CsrAdmission({ authorizer })],
    });
    // kubectl sends bearer tokens over HTTPS only.
    server = await startApiServer({
      registry,
      tls: { key: pki.serving.keyPem, cert: pki.serving.certPem },
      authenticator: {
        authenticate: (req) => {
          const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
          return Promise.resolve(users[token]);
        },
      },
      authorizer,
    });
    client = new InProcessApiClient(registry);
    container = new Container();
    container.bind(Logger).toConstantValue(silentLogger);
    container.bind(ApiClient).toConstantValue(client);
    container.load(controllerRuntimeModule(), certificatesModule({ ca: pki.ca }));
    await container.get(ControllerManager).start();
    admin = await Kubectl.forServer(server.url, 'admin-token');
    alice = await Kubectl.forServer(server.url, 'alice-token');
    bob = await Kubectl.forServer(server.url, 'bob-token');
  });

  afterAll(async () => {
    await container.unbindAllAsync();
    await server.close();
    await store.close();
    await Promise.all([admin.cleanup(), alice.cleanup(), bob.cleanup()]);
    await rm(dir, { recursive: true, force: true });
  });

  async function issued(name: string): Promise<CertificateSigningRequest> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const cur = await client.get(CertificateSigningRequests, name);
      if (cur.status?.certificate) return cur;
      if (Date.now() > deadline) throw new Error(`no certificate for ${name}: ${JSON.stringify(cur.status)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('discovery lists the approval subresource', async () => {
    const list = JSON.parse(await admin.ok(['get', '--raw', '/apis/certificates.k8s.io/v1'])) as {
      resources: { name: string; verbs: string[] }[];
    };
    expect(list.resources.find((r) => r.name === 'certificatesigningrequests/approval')?.verbs).toEqual([
      'get',
      'patch',
      'update',
    ]);
  });

  it('certificate approve approves the request and the signer then issues its certificate', async () => {
    await admin.ok(['create', '-f', '-'], await csrManifest('alice-client', 'alice'));
    expect(await admin.ok(['certificate', 'approve', 'alice-client'])).toBe(
      'certificatesigningrequest.certificates.k8s.io/alice-client approved\n',
    );
    const csr = await issued('alice-client');
    expect(csr.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Approved', 'True', 'KubectlApprove'],
    ]);
    const cert = new x509.X509Certificate(Buffer.from(csr.status?.certificate ?? '', 'base64').toString());
    expect(cert.subjectName.getField('CN')).toEqual(['alice']);
    expect(
      await admin.ok(['get', 'csr', 'alice-client', '-o', 'jsonpath={.status.conditions[*].type}']),
    ).toBe('Approved');
  });

  it('certificate deny denies the request, which is never issued and cannot be approved after', async () => {
    await admin.ok(['create', '-f', '-'], await csrManifest('denied', 'mallory'));
    expect(await admin.ok(['certificate', 'deny', 'denied'])).toBe(
      'certificatesigningrequest.certificates.k8s.io/denied denied\n',
    );
    const csr = await client.get(CertificateSigningRequests, 'denied');
    expect(csr.status?.conditions?.map((c) => [c.type, c.status])).toEqual([['Denied', 'True']]);
    expect(csr.status?.certificate).toBeUndefined();
    const approved = { type: 'Approved', status: 'True', reason: 'Late' };
    await expect(
      client.updateSubresource(CertificateSigningRequests, 'denied', 'approval', {
        ...csr,
        status: { conditions: [...(csr.status?.conditions ?? []), approved] },
      }),
    ).rejects.toMatchObject({
      code: 'Invalid',
      message: expect.stringContaining('Approved and Denied conditions are mutually exclusive') as unknown,
    });
  });

  it('the status subresource cannot approve: only approval writes Approved and Denied', async () => {
    await admin.ok(['create', '-f', '-'], await csrManifest('sneaky', 'sneaky'));
    const cur = await client.get(CertificateSigningRequests, 'sneaky');
    await client.updateStatus(CertificateSigningRequests, {
      ...cur,
      status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Sneaky' }] },
    });
    expect((await client.get(CertificateSigningRequests, 'sneaky')).status?.conditions).toBeUndefined();
  });

  it('approving needs the approve verb on the signer, whatever the subresource allows', async () => {
    await admin.ok(['create', '-f', '-'], await csrManifest('by-bob', 'bob'));
    const res = await bob.run(['certificate', 'approve', 'by-bob']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(
      `certificatesigningrequests.certificates.k8s.io "by-bob" is forbidden: user not permitted to approve requests with signerName "${apiserverClientSigner}"`,
    );
    expect((await client.get(CertificateSigningRequests, 'by-bob')).status?.conditions).toBeUndefined();
  });

  it('prints Forbidden as upstream: group-qualified resources, cluster scope and non-resource paths', async () => {
    await client.create(resources.Namespaces, { metadata: { name: 'ns' } });
    await client.create(resources.Pods, {
      metadata: { name: 'p', namespace: 'ns' },
      spec: { containers: [{ name: 'app', image: 'busybox:1.35' }] },
    });
    const named = await alice.run(['get', 'deployment', 'web', '-n', 'ns']);
    expect(named.stderr).toContain(
      'Error from server (Forbidden): deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "ns"\n',
    );
    const cluster = await alice.run(['get', 'clusterroles']);
    expect(cluster.stderr).toContain(
      'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io is forbidden: User "alice" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope\n',
    );
    const core = await alice.run(['get', 'nodes']);
    expect(core.stderr).toContain(
      'Error from server (Forbidden): nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope\n',
    );
    const sub = await alice.run(['logs', 'p', '-n', 'ns']);
    expect(sub.stderr).toContain(
      'pods "p" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "ns"',
    );
    const raw = await alice.run(['get', '--raw', '/metrics']);
    expect(raw.stderr).toContain(
      'Error from server (Forbidden): forbidden: User "alice" cannot get path "/metrics"\n',
    );
  });
});
