import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';

/** Whether the request carries condition `type` with status True. */
export function hasCondition(
  csr: CertificateSigningRequest,
  type: 'Approved' | 'Denied' | 'Failed',
): boolean {
  return csr.status?.conditions?.some((c) => c.type === type && c.status === 'True') === true;
}

/** Whether the request has been issued its certificate. */
export function isIssued(csr: CertificateSigningRequest): boolean {
  return (csr.status?.certificate ?? '') !== '';
}
