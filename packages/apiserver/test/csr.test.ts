import 'reflect-metadata';

import { webcrypto } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient, ControllerManager, Logger, controllerRuntimeModule, silentLogger } from '@tugboat/core';
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
  certificateStrategies,
  certificatesModule,
  kubeletClientSigner,
  nodeClientApprovalReason,
} from '../src/index.js';

const bootstrapper = {
  name: 'system:bootstrap:abcdef',
  groups: ['system:bootstrappers', 'system:authenticated'],
};

async function keyAndRequest(cn: string, o: string): Promise<{ keys: webcrypto.CryptoKeyPair; pem: string }> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name([{ O: [o] }, { CN: [cn] }]),
    keys: keys as never,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  return { keys, pem: req.toString('pem') };
}

function csr(
  name: string,
  pem: string,
  extra: Partial<CertificateSigningRequest['spec']> = {},
): CertificateSigningRequest {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: {
      request: Buffer.from(pem).toString('base64'),
      signerName: kubeletClientSigner,
      usages: ['digital signature', 'client auth'],
      ...extra,
    },
  };
}

describe('certificates.k8s.io/v1 CertificateSigningRequests', () => {
  let dir = '';
  let store: MemoryStore;
  let client: InProcessApiClient;
  let pki: ClusterPki;
  let container: Container;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tug-csr-'));
    pki = await ClusterPki.loadOrCreate({ dir });
    store = new MemoryStore();
    const resources = new ResourceRegistry();
    resources.add(CertificateSigningRequests);
    const registry = new Registry(store, resources, silentLogger, {
      strategies: certificateStrategies(),
      admissionPlugins: [new CsrAdmission()],
    });
    await registry.start();
    client = new InProcessApiClient(registry);
    container = new Container();
    container.bind(Logger).toConstantValue(silentLogger);
    container.bind(ApiClient).toConstantValue(client);
    container.load(controllerRuntimeModule(), certificatesModule({ ca: pki.ca }));
    await container.get(ControllerManager).start();
  });

  afterAll(async () => {
    await container.unbindAllAsync();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records the requesting user whatever the body claims', async () => {
    const { pem } = await keyAndRequest('system:node:claims', 'system:nodes');
    const created = await client
      .as(bootstrapper)
      .create(
        CertificateSigningRequests,
        csr('claims', pem, { username: 'kubernetes-admin', groups: ['system:masters'] }),
      );
    expect(created.spec.username).toBe('system:bootstrap:abcdef');
    expect(created.spec.groups).toEqual(['system:bootstrappers', 'system:authenticated']);
  });

  it('refuses a request that is not PEM PKCS#10, a bad signer name, short validity and unknown usages', async () => {
    const { pem } = await keyAndRequest('system:node:bad', 'system:nodes');
    const err = await client
      .create(CertificateSigningRequests, {
        ...csr('bad', '-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----\n'),
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Invalid' });
    const err2 = await client
      .create(
        CertificateSigningRequests,
        csr('bad2', pem, { signerName: 'nodomain', expirationSeconds: 60, usages: ['flying'] }),
      )
      .catch((e: unknown) => e);
    expect(err2).toMatchObject({ code: 'Invalid' });
    const fields = ((err2 as { details?: { causes?: { field?: string }[] } }).details?.causes ?? []).map(
      (c) => c.field,
    );
    expect(fields).toEqual(
      expect.arrayContaining(['spec.signerName', 'spec.expirationSeconds', 'spec.usages[0]']),
    );
    await expect(client.get(CertificateSigningRequests, 'bad')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('refuses a request whose signature does not verify (no proof of the key)', async () => {
    const { pem } = await keyAndRequest('system:node:forged', 'system:nodes');
    const der = Buffer.from(x509.PemConverter.decodeFirst(pem));
    der[der.length - 2] = (der[der.length - 2] ?? 0) ^ 0xff;
    const forged = x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
    await expect(
      client.as(bootstrapper).create(CertificateSigningRequests, csr('forged', forged)),
    ).rejects.toMatchObject({
      code: 'Invalid',
    });
  });

  it('keeps the spec immutable', async () => {
    const { pem } = await keyAndRequest('system:node:fixed', 'system:nodes');
    const created = await client.create(CertificateSigningRequests, csr('fixed', pem));
    await expect(
      client.update(CertificateSigningRequests, {
        ...created,
        spec: { ...created.spec, signerName: 'example.com/other' },
      }),
    ).rejects.toMatchObject({ code: 'Invalid' });
  });

  it("auto-approves a bootstrapper's node client request and signs it from the cluster CA", async () => {
    const { keys, pem } = await keyAndRequest('system:node:worker-1', 'system:nodes');
    await client.as(bootstrapper).create(CertificateSigningRequests, csr('node-csr-worker-1', pem));
    const deadline = Date.now() + 20_000;
    let issued: CertificateSigningRequest | undefined;
    while (Date.now() < deadline && issued === undefined) {
      const cur = await client.get(CertificateSigningRequests, 'node-csr-worker-1');
      if (cur.status?.certificate) issued = cur;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(issued?.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Approved', 'True', 'AutoApproved'],
    ]);
    const cert = new x509.X509Certificate(
      Buffer.from(issued?.status?.certificate ?? '', 'base64').toString(),
    );
    expect(cert.subjectName.getField('CN')).toEqual(['system:node:worker-1']);
    expect(cert.subjectName.getField('O')).toEqual(['system:nodes']);
    expect(
      await cert.verify({
        publicKey: new x509.X509Certificate(pki.ca.certPem).publicKey,
        signatureOnly: true,
      }),
    ).toBe(true);
    const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey));
    expect(Buffer.from(cert.publicKey.rawData).equals(spki)).toBe(true);
    const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
    expect(eku?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
  });

  it('leaves requests it may not approve for an administrator', async () => {
    const asAdminName = await keyAndRequest('kubernetes-admin', 'system:masters');
    const request = csr('escalate', asAdminName.pem);
    const created = await client.as(bootstrapper).create(CertificateSigningRequests, request);
    expect(nodeClientApprovalReason(created)).toBeUndefined();
    const otherNode = await keyAndRequest('system:node:victim', 'system:nodes');
    const asNode = { name: 'system:node:thief', groups: ['system:nodes', 'system:authenticated'] };
    const stolen = await client.as(asNode).create(CertificateSigningRequests, csr('steal', otherNode.pem));
    expect(nodeClientApprovalReason(stolen)).toBeUndefined();
    const own = await keyAndRequest('system:node:thief', 'system:nodes');
    const renewal = await client.as(asNode).create(CertificateSigningRequests, csr('renew', own.pem));
    expect(nodeClientApprovalReason(renewal)).toMatch(/self/);
  });
});
