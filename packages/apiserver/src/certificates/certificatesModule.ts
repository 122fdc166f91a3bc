import { Reconciler } from '@tugboat/core';
import { ContainerModule } from 'inversify';

import type { CertificateAndKey } from '../pki/certificates.js';
import { resourceKey } from '../registry/resourceKey.js';
import type { Strategy } from '../registry/Strategy.js';
import { builtinStrategies } from '../strategies/index.js';
import { CertificateSigningRequests } from './CertificateSigningRequests.js';
import { CsrApprover } from './CsrApprover.js';
import { csrStrategy } from './csrStrategy.js';
import { CsrSigner, CsrSigningCa } from './CsrSigner.js';

/** Options of {@link certificatesModule}. */
export interface CertificatesOptions {
  /** The CA the signer issues from (the cluster CA). */
  readonly ca: CertificateAndKey;
}

/**
 * The controller half of certificates.k8s.io: binds the {@link CsrApprover} and the
 * {@link CsrSigner} as Reconcilers (the controller manager runs them, under its leader election)
 * and the CA they sign with. The API half is {@link serveCertificates}.
 */
export function certificatesModule(options: CertificatesOptions): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(CsrSigningCa).toConstantValue(options.ca);
    bind(Reconciler).to(CsrApprover).inSingletonScope();
    bind(Reconciler).to(CsrSigner).inSingletonScope();
  });
}

/**
 * The API half of certificates.k8s.io: `strategies` (default the built-in ones) with the CSR
 * strategy added, for `apiserverModule({ strategies })`. Pair it with the `CsrAdmission` plugin and
 * add {@link CertificateSigningRequests} to the container's `ResourceRegistry` before serving.
 */
export function certificateStrategies(
  strategies: ReadonlyMap<string, Strategy> = builtinStrategies,
): ReadonlyMap<string, Strategy> {
  return new Map([...strategies, [resourceKey(CertificateSigningRequests), csrStrategy]]);
}
