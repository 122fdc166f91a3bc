import { ApiError } from '@tugboat/core';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';

import type { AdmissionAttributes, AdmissionPlugin } from '../admission/AdmissionPlugin.js';
import type { Authorizer } from '../http/hooks.js';
import type { UserInfo } from '../registry/RequestContext.js';
import { resourceKey } from '../registry/resourceKey.js';
import { CertificateSigningRequests } from './CertificateSigningRequests.js';
import { parseCsrRequest, verifyCsrSignature } from './parseCsrRequest.js';

/** Options of {@link CsrAdmission}. */
export interface CsrAdmissionOptions {
  /**
   * Decides who may approve (verb `approve`) and issue (verb `sign`) requests of a signer: the
   * resource `signers` in `certificates.k8s.io`, named by the signer (`kubernetes.io/kubelet-serving`)
   * or its domain wildcard (`kubernetes.io/*`). Without it, whoever may update the subresource may.
   */
  readonly authorizer?: Authorizer;
}

/**
 * Admission of CertificateSigningRequests: on create, records who asks (`spec.username`, `uid`,
 * `groups`, `extra` from the authenticated user, whatever the body said, as upstream's strategy
 * does) and refuses a request whose self-signature does not verify (`Invalid`), so nobody gets a
 * certificate for a key they do not hold. With an authorizer it also does upstream's
 * `CertificateApproval` and `CertificateSigning` checks: a write to `approval` needs `approve`, and
 * a `status` write that sets the certificate needs `sign`, on the request's signer (`Forbidden`).
 */
export class CsrAdmission implements AdmissionPlugin {
  readonly name = 'CertificateSigningRequest';

  constructor(private readonly options: CsrAdmissionOptions = {}) {}

  async admit(a: AdmissionAttributes): Promise<void> {
    const def = a.resource;
    if (def.group !== CertificateSigningRequests.group || def.plural !== CertificateSigningRequests.plural)
      return;
    if (a.operation === 'UPDATE') return this.checkSigner(a);
    if (a.operation !== 'CREATE' || a.subresource !== undefined) return;
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

  private async checkSigner(a: AdmissionAttributes): Promise<void> {
    const authorizer = this.options.authorizer;
    if (authorizer === undefined) return;
    const csr = a.object as CertificateSigningRequest | undefined;
    const old = a.oldObject as CertificateSigningRequest | undefined;
    let verb: 'approve' | 'sign';
    if (a.subresource === 'approval') verb = 'approve';
    else if (
      a.subresource === 'status' &&
      (csr?.status?.certificate ?? '') !== (old?.status?.certificate ?? '')
    )
      verb = 'sign';
    else return;
    const signerName = old?.spec.signerName ?? csr?.spec.signerName ?? '';
    if (await mayUseSigner(authorizer, a.user, verb, signerName)) return;
    throw new ApiError(
      'Forbidden',
      `${resourceKey(a.resource)} ${JSON.stringify(a.name)} is forbidden: user not permitted to ${verb} requests with signerName ${JSON.stringify(signerName)}`,
      { name: a.name, group: a.resource.group, kind: a.resource.plural },
    );
  }
}

/** Whether `user` may `verb` the signer, by its name or by its domain's wildcard (`example.com/*`). */
async function mayUseSigner(
  authorizer: Authorizer,
  user: UserInfo,
  verb: string,
  signerName: string,
): Promise<boolean> {
  const domain = signerName.split('/')[0] ?? '';
  for (const name of [signerName, `${domain}/*`]) {
    const decision = await authorizer.authorize({
      user,
      verb,
      resourceRequest: true,
      apiGroup: 'certificates.k8s.io',
      apiVersion: '*',
      resource: 'signers',
      name,
      path: '',
    });
    if (decision.allowed) return true;
  }
  return false;
}
