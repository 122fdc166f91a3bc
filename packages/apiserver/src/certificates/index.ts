/* certificates.k8s.io: CertificateSigningRequests, their approval and signing (area T2). */
export {
  apiserverClientSigner,
  CertificateSigningRequests,
  kubeletClientSigner,
  kubeletServingSigner,
} from './CertificateSigningRequests.js';
export { csrStrategy } from './csrStrategy.js';
export { CsrAdmission, type CsrAdmissionOptions } from './CsrAdmission.js';
export { CsrApprover, nodeClientApprovalReason, nodeServingApprovalReason } from './CsrApprover.js';
export { CsrSigner, CsrSigningCa } from './CsrSigner.js';
export { hasCondition, isIssued } from './csrConditions.js';
export { parseCsrRequest, verifyCsrSignature, type ParsedCsr } from './parseCsrRequest.js';
export { signCertificateRequest, type IssuedUsage } from './signCertificateRequest.js';
export { certificatesModule, certificateStrategies, type CertificatesOptions } from './certificatesModule.js';
