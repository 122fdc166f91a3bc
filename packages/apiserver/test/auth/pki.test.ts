import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError } from '@tugboat/core';

import { ClusterPki, defaultSans } from '../../src/index.js';

describe('ClusterPki', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tug-pki-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates a CA, a serving certificate with the Kubernetes SANs, the admin certificate and the SA key', async () => {
    const pki = await ClusterPki.loadOrCreate({ dir, extraSans: ['10.96.0.1', 'api.example.com'] });
    const ca = new X509Certificate(pki.ca.certPem);
    const serving = new X509Certificate(pki.serving.certPem);
    expect(ca.ca).toBe(true);
    expect(serving.verify(ca.publicKey)).toBe(true);
    for (const san of [...defaultSans, '10.96.0.1', 'api.example.com']) {
      const ok = /^[\d.]+$/.test(san) || san.includes(':') ? serving.checkIP(san) : serving.checkHost(san);
      expect(ok).toBeDefined();
    }
    const admin = new X509Certificate(pki.admin.certPem);
    expect(admin.subject).toContain('CN=kubernetes-admin');
    expect(admin.subject).toContain('O=system:masters');
    expect(admin.verify(ca.publicKey)).toBe(true);
    expect(pki.serviceAccountKey.privatePem).toContain('PRIVATE KEY');
  });

  it('reuses every file on restart', async () => {
    const first = await ClusterPki.loadOrCreate({ dir });
    const second = await ClusterPki.loadOrCreate({ dir });
    expect(second.ca).toEqual(first.ca);
    expect(second.serving).toEqual(first.serving);
    expect(second.admin).toEqual(first.admin);
    expect(second.serviceAccountKey).toEqual(first.serviceAccountKey);
  });

  it('reissues the serving certificate from the same CA when a SAN is added', async () => {
    const first = await ClusterPki.loadOrCreate({ dir });
    const second = await ClusterPki.loadOrCreate({ dir, extraSans: ['new.example.com'] });
    expect(second.ca).toEqual(first.ca);
    expect(second.serving.certPem).not.toEqual(first.serving.certPem);
    expect(new X509Certificate(second.serving.certPem).checkHost('new.example.com')).toBeDefined();
  });

  it('refuses a corrupt file and leaves it as it was', async () => {
    await ClusterPki.loadOrCreate({ dir });
    writeFileSync(join(dir, 'ca.crt'), 'garbage');
    const err = await ClusterPki.loadOrCreate({ dir }).catch((e: unknown) => e);
    expect(ApiError.is(err)).toBe(true);
    expect((err as Error).message).toContain('ca.crt is not a PEM certificate');
    expect(readFileSync(join(dir, 'ca.crt'), 'utf8')).toBe('garbage');
  });

  it('refuses a key that does not match its certificate', async () => {
    await ClusterPki.loadOrCreate({ dir });
    writeFileSync(join(dir, 'admin.key'), readFileSync(join(dir, 'apiserver.key')));
    await expect(ClusterPki.loadOrCreate({ dir })).rejects.toThrow(
      /admin\.key does not match the certificate/,
    );
  });

  it('refuses a certificate signed by another CA', async () => {
    await ClusterPki.loadOrCreate({ dir });
    const other = mkdtempSync(join(tmpdir(), 'tug-pki-other-'));
    try {
      await ClusterPki.loadOrCreate({ dir: other });
      for (const f of ['apiserver.crt', 'apiserver.key'])
        writeFileSync(join(dir, f), readFileSync(join(other, f)));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    await expect(ClusterPki.loadOrCreate({ dir })).rejects.toThrow(
      /apiserver\.crt was not signed by the cluster CA/,
    );
  });

  it('refuses a half-present pair and a mismatched ServiceAccount key pair', async () => {
    await ClusterPki.loadOrCreate({ dir });
    rmSync(join(dir, 'ca.key'));
    await expect(ClusterPki.loadOrCreate({ dir })).rejects.toThrow(/ca\.key is missing while ca\.crt exists/);
    rmSync(dir, { recursive: true, force: true });
    await ClusterPki.loadOrCreate({ dir });
    const other = await ClusterPki.loadOrCreate({ dir: join(dir, 'nested') });
    writeFileSync(join(dir, 'sa.pub'), other.serviceAccountKey.publicPem);
    await expect(ClusterPki.loadOrCreate({ dir })).rejects.toThrow(
      /sa\.pub is not the public half of sa\.key/,
    );
  });

  it('issues client certificates with the user as CN and each group as O', async () => {
    const pki = await ClusterPki.loadOrCreate({ dir });
    const cert = new X509Certificate((await pki.issueClientCertificate('jane', ['dev', 'ops'])).certPem);
    expect(cert.subject.split('\n').sort()).toEqual(['CN=jane', 'O=dev', 'O=ops']);
  });
});
