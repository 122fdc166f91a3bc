import { ApiError } from '@tugboat/core';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';

import type { AdmissionAttributes, AdmissionPlugin } from '../admission/AdmissionPlugin.js';
import { CertificateSigningRequests } from './CertificateSigningRequests.js';
import { parseCsrRequest, verifyCsrSignature } from './parseCsrRequest.js';

/**
 * Admission of CertificateSigningRequests: on create, records who asks (`spec.username`, `uid`,
 * `groups`, `extra` from the authenticated user, whatever the body said, as upstream's strategy
 * does) and refuses a request whose self-signature does not verify (`Invalid`), so nobody gets a
 * certificate for a key they do not hold.
 */
export class CsrAdmission implements AdmissionPlugin {
  readonly name = 'CertificateSigningRequest';

  async admit(a: AdmissionAttributes): Promise<void> {
    if (a.operation !== 'CREATE' || a.subresource !== undefined) return;
    const def = a.resource;
    if (def.group !== CertificateSigningRequests.group || def.plural !== CertificateSigningRequests.plural)
      return;
    const csr = a.object as CertificateSigningRequest | undefined;
    if (csr?.spec === undefined) return;
    const spec = csr.spec;
    spec.username = a.user.name;
    spec.groups = [...a.user.groups];
    if (a.user.uid !== undefined) spec.uid = a.user.uid;
    else delete spec.uid;
    if (a.user.extra !== undefined)
      spec.extra = Object.fromEntries(Object.entries(a.user.extra).map(([k, v]) => [k, [...v]]));
    else delete spec.extra;
    if (typeof spec.request !== 'string') return; // validation names the missing field
    let parsed;
    try {
      parsed = parseCsrRequest(spec.request);
    } catch {
      return; // validation names the bad field
    }
    if (!(await verifyCsrSignature(parsed)))
      throw new ApiError(
        'Invalid',
        "spec.request: Invalid value: the request's signature does not verify with its public key",
      );
  }
}
