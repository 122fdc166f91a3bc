import 'reflect-metadata';

import * as x509 from '@peculiar/x509';
import { ApiError } from '@tugboat/core';

/** What a PKCS#10 certificate request names: subject CN and O, SANs, and the parsed request. */
export interface ParsedCsr {
  readonly request: x509.Pkcs10CertificateRequest;
  readonly commonName: string | undefined;
  readonly organizations: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/**
 * Parses `spec.request` of a CertificateSigningRequest (the base64 of a PEM `CERTIFICATE REQUEST`
 * block, as the JSON wire form of a Go `[]byte` holds it). Anything else is `BadRequest`.
 */
export function parseCsrRequest(base64: string): ParsedCsr {
  const pem = Buffer.from(base64, 'base64').toString('utf8');
  if (!/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(pem))
    throw new ApiError('BadRequest', 'spec.request must hold one PEM block of type CERTIFICATE REQUEST');
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(pem);
  } catch (err) {
    throw new ApiError(
      'BadRequest',
      `spec.request is not a valid PKCS#10 request: ${(err as Error).message}`,
    );
  }
  const name = request.subjectName;
  const san = request.extensions.find(
    (e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension,
  );
  const names: readonly x509.JsonGeneralName[] = san?.names.toJSON() ?? [];
  return {
    request,
    commonName: name.getField('CN')[0],
    organizations: name.getField('O'),
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => n.value),
  };
}

/** Checks the request's self-signature (proof of possession of the key); `false` when it does not verify. */
export async function verifyCsrSignature(parsed: ParsedCsr): Promise<boolean> {
  try {
    return await parsed.request.verify();
  } catch {
    return false;
  }
}
