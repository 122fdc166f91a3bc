import 'reflect-metadata';

import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

import * as x509 from '@peculiar/x509';

const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signing = { name: 'ECDSA', hash: 'SHA-256' } as const;
// Certificates start a little in the past so a peer whose clock lags still accepts them.
const skewMs = 5 * 60 * 1000;
const dayMs = 24 * 60 * 60 * 1000;

// @peculiar/x509 types keys as the DOM's CryptoKey, which this ES-only build does not declare;
// node's webcrypto keys are those objects at run time, so they are passed through `as never`.

/** A certificate and its private key, PEM-encoded (the key as PKCS#8). */
export interface CertificateAndKey {
  readonly certPem: string;
  readonly keyPem: string;
}

/** What a leaf certificate is for: a TLS server (with SANs) or a client (user and groups). */
export type LeafRequest =
  | {
      readonly usage: 'server';
      readonly commonName: string;
      readonly sans: readonly string[];
      readonly days: number;
    }
  | {
      readonly usage: 'client';
      readonly commonName: string;
      readonly organizations: readonly string[];
      readonly days: number;
    };

/** Generates an ECDSA P-256 key pair, PEM-encoded (PKCS#8 private, SPKI public). */
export async function generateKeyPairPem(): Promise<{ privatePem: string; publicPem: string }> {
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const priv = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const pub = await webcrypto.subtle.exportKey('spki', keys.publicKey);
  return {
    privatePem: x509.PemConverter.encode(priv, 'PRIVATE KEY'),
    publicPem: x509.PemConverter.encode(pub, 'PUBLIC KEY'),
  };
}

/** Creates a self-signed CA certificate (`CN=<commonName>`) valid for `days`. */
export async function createCaCertificate(commonName: string, days: number): Promise<CertificateAndKey> {
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: new x509.Name([{ CN: [commonName] }]),
    notBefore: new Date(now - skewMs),
    notAfter: new Date(now + days * dayMs),
    signingAlgorithm: signing,
    keys: keys as never,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportPrivate(keys.privateKey) };
}

/** Issues a leaf certificate with a fresh key, signed by the CA. */
export async function issueCertificate(
  ca: CertificateAndKey,
  request: LeafRequest,
): Promise<CertificateAndKey> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importPrivate(ca.keyPem);
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const subject =
    request.usage === 'client'
      ? new x509.Name([...request.organizations.map((o) => ({ O: [o] })), { CN: [request.commonName] }])
      : new x509.Name([{ CN: [request.commonName] }]);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([
      request.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
    ]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (request.usage === 'server') {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        request.sans.map((san) =>
          isIP(san) ? { type: 'ip' as const, value: san } : { type: 'dns' as const, value: san },
        ),
      ),
    );
  }
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject,
    issuer: caCert.subject,
    notBefore: new Date(now - skewMs),
    notAfter: new Date(now + request.days * dayMs),
    signingAlgorithm: signing,
    publicKey: keys.publicKey as never,
    signingKey: caKey as never,
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: await exportPrivate(keys.privateKey) };
}

async function exportPrivate(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importPrivate(pem: string): Promise<webcrypto.CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
}

/** A random positive 128-bit serial (the top bit clear, as DER integers are signed). */
function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}
