import 'reflect-metadata';

import { webcrypto } from 'node:crypto';

import * as x509 from '@peculiar/x509';

import type { CertificateAndKey } from '../pki/certificates.js';
import type { ParsedCsr } from './parseCsrRequest.js';

const signing = { name: 'ECDSA', hash: 'SHA-256' } as const;
const skewMs = 5 * 60 * 1000;

/** What the issued certificate is for: a client (`clientAuth`) or a server (`serverAuth`, with the request's SANs). */
export type IssuedUsage = 'client' | 'server';

/**
 * Issues a certificate for the key and subject of a parsed PKCS#10 request, signed by `ca`
 * (an ECDSA P-256 CA as {@link ClusterPki} makes), valid for `durationMs` from now. The request's
 * SANs are carried over for server certificates only.
 */
export async function signCertificateRequest(
  ca: CertificateAndKey,
  csr: ParsedCsr,
  usage: IssuedUsage,
  durationMs: number,
): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(ca.keyPem),
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  );
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension([
      usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
    ]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (usage === 'server' && csr.dnsNames.length + csr.ipAddresses.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...csr.dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...csr.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const now = Date.now();
  const serial = webcrypto.getRandomValues(new Uint8Array(16));
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(serial).toString('hex'),
    subject: csr.request.subjectName,
    issuer: caCert.subject,
    notBefore: new Date(now - skewMs),
    notAfter: new Date(Math.min(now + durationMs, caCert.notAfter.getTime())),
    signingAlgorithm: signing,
    publicKey: csr.request.publicKey,
    signingKey: caKey as never,
    extensions,
  });
  return cert.toString('pem');
}
