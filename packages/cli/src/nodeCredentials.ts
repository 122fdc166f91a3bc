import 'reflect-metadata';

import { webcrypto } from 'node:crypto';

import * as x509 from '@peculiar/x509';

const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signing = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A fresh private key (PKCS#8 PEM) and a PKCS#10 request (PEM) for a subject and SANs. */
export interface KeyAndRequest {
  readonly keyPem: string;
  readonly requestPem: string;
}

/**
 * Generates an ECDSA P-256 key and a certificate request signed with it for
 * `O=<organization>, CN=<commonName>` (and the SANs, for serving certificates).
 */
export async function createKeyAndRequest(
  commonName: string,
  organization: string,
  sans: readonly string[] = [],
): Promise<KeyAndRequest> {
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const isIp = (s: string): boolean => /^[0-9.]+$/.test(s) || s.includes(':');
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name([{ O: [organization] }, { CN: [commonName] }]),
    keys: keys as never,
    signingAlgorithm: signing,
    extensions:
      sans.length > 0
        ? [
            new x509.SubjectAlternativeNameExtension(
              sans.map((value) =>
                isIp(value) ? { type: 'ip' as const, value } : { type: 'dns' as const, value },
              ),
            ),
          ]
        : [],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), requestPem: request.toString('pem') };
}

/** Whether `certPem` is valid for at least `marginMs` more and names `commonName`. */
export function certificateUsable(certPem: string, commonName: string, marginMs: number): boolean {
  try {
    const cert = new x509.X509Certificate(certPem);
    return (
      cert.notAfter.getTime() - Date.now() > marginMs && cert.subjectName.getField('CN')[0] === commonName
    );
  } catch {
    return false;
  }
}
