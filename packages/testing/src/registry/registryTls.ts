import 'reflect-metadata';

import { webcrypto } from 'node:crypto';

import * as x509 from '@peculiar/x509';

const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signing = { name: 'ECDSA', hash: 'SHA-256' } as const;
// Certificates start a little in the past so a daemon whose clock lags still accepts them.
const skewMs = 5 * 60 * 1000;
const validMs = 7 * 24 * 60 * 60 * 1000;

/** The PEM files a TLS test registry serves with, and the CA that clients must trust. */
export interface RegistryTls {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

// @peculiar/x509 types keys as the DOM's CryptoKey; node's webcrypto keys are those objects at run
// time, so they are passed through `as never`.

/**
 * Generates a throwaway CA and a server certificate it signed for `127.0.0.1`, `::1` and
 * `localhost` (ECDSA P-256, valid a week). Written here rather than borrowed from the apiserver's
 * PKI because `@tugboat/apiserver` depends on this package.
 */
export async function generateRegistryTls(): Promise<RegistryTls> {
  const now = Date.now();
  const caKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: new x509.Name([{ CN: ['tugboat test registry CA'] }]),
    notBefore: new Date(now - skewMs),
    notAfter: new Date(now + validMs),
    signingAlgorithm: signing,
    keys: caKeys as never,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: new x509.Name([{ CN: ['127.0.0.1'] }]),
    issuer: ca.subject,
    notBefore: new Date(now - skewMs),
    notAfter: new Date(now + validMs),
    signingAlgorithm: signing,
    publicKey: keys.publicKey as never,
    signingKey: caKeys.privateKey as never,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  const keyDer = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    caPem: ca.toString('pem'),
    certPem: cert.toString('pem'),
    keyPem: x509.PemConverter.encode(keyDer, 'PRIVATE KEY'),
  };
}

/** A random positive 128-bit serial (the top bit clear, as DER integers are signed). */
function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}
