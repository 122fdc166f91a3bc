import {
  ApiClient,
  ApiError,
  controller,
  Logger,
  SharedInformerFactory,
  token,
  type Informer,
  type ReconcileRequest,
  type Reconciler,
  metaTime,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';

import type { CertificateAndKey } from '../pki/certificates.js';
import {
  apiserverClientSigner,
  CertificateSigningRequests,
  kubeletClientSigner,
  kubeletServingSigner,
} from './CertificateSigningRequests.js';
import { hasCondition, isIssued } from './csrConditions.js';
import { parseCsrRequest } from './parseCsrRequest.js';
import { signCertificateRequest, type IssuedUsage } from './signCertificateRequest.js';

/** The CA (certificate and key, PEM) the {@link CsrSigner} signs with: the cluster CA. */
export const CsrSigningCa = token<CertificateAndKey>('apiserver/CsrSigningCa');

const yearMs = 365 * 24 * 60 * 60 * 1000;
const signers: Readonly<Record<string, IssuedUsage>> = {
  [kubeletClientSigner]: 'client',
  [apiserverClientSigner]: 'client',
  [kubeletServingSigner]: 'server',
};

/**
 * The CSR signer of the control plane (upstream's `csrsigning` controller): issues approved
 * requests of the `kubernetes.io/kube-apiserver-client-kubelet`, `kube-apiserver-client` and
 * `kubelet-serving` signers from the cluster CA into `status.certificate` (PEM), valid for
 * `spec.expirationSeconds` (at most a year, never past the CA). A request it cannot parse gets a
 * `Failed` condition instead.
 */
@controller({ name: 'csrsigning', for: CertificateSigningRequests })
@injectable()
export class CsrSigner implements Reconciler {
  private readonly csrs: Informer<CertificateSigningRequest>;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(CsrSigningCa) private readonly ca: CertificateAndKey,
    @inject(Logger) private readonly logger: Logger,
  ) {
    this.csrs = informers.informerFor(CertificateSigningRequests);
  }

  async reconcile({ name }: ReconcileRequest): Promise<void> {
    const csr = this.csrs.cache.get(name);
    if (csr === undefined || !hasCondition(csr, 'Approved') || hasCondition(csr, 'Failed') || isIssued(csr))
      return;
    const usage = signers[csr.spec.signerName];
    if (usage === undefined) return;
    let status: CertificateSigningRequest['status'];
    try {
      const parsed = parseCsrRequest(csr.spec.request);
      const seconds = csr.spec.expirationSeconds;
      const duration = seconds !== undefined ? Math.min(seconds * 1000, yearMs) : yearMs;
      const pem = await signCertificateRequest(this.ca, parsed, usage, duration);
      status = { ...csr.status, certificate: Buffer.from(pem).toString('base64') };
    } catch (err) {
      const now = metaTime();
      status = {
        ...csr.status,
        conditions: [
          ...(csr.status?.conditions ?? []),
          {
            type: 'Failed',
            status: 'True',
            reason: 'SigningError',
            message: (err as Error).message,
            lastUpdateTime: now,
          },
        ],
      };
    }
    try {
      await this.api.updateStatus(CertificateSigningRequests, { ...csr, status });
      this.logger.info('signed certificate request', { csr: name, signer: csr.spec.signerName });
    } catch (err) {
      if (!ApiError.is(err, 'Conflict') && !ApiError.is(err, 'NotFound')) throw err;
    }
  }
}
