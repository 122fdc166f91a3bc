import {
  ApiClient,
  ApiError,
  controller,
  Logger,
  SharedInformerFactory,
  type Informer,
  type ReconcileRequest,
  type Reconciler,
  metaTime,
} from '@tugboat/core';
import { inject, injectable } from 'inversify';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';

import { bootstrappersGroup } from '../auth/bootstrap/bootstrapToken.js';
import { nodesGroup } from '../auth/users.js';
import {
  CertificateSigningRequests,
  kubeletClientSigner,
  kubeletServingSigner,
} from './CertificateSigningRequests.js';
import { hasCondition } from './csrConditions.js';
import { parseCsrRequest } from './parseCsrRequest.js';

const clientUsages = new Set(['digital signature', 'key encipherment', 'client auth']);
const servingUsages = new Set(['digital signature', 'key encipherment', 'server auth']);

/**
 * The subject and SAN count of `csr` when it is a node's request to `signer`: subject CN
 * `system:node:<name>` and O `system:nodes` only, `usage` among its usages and nothing outside
 * `allowed`. `undefined` for anything else (an unparsable request included).
 */
function nodeRequest(
  csr: CertificateSigningRequest,
  signer: string,
  usage: string,
  allowed: ReadonlySet<string>,
): { readonly cn: string; readonly sans: number } | undefined {
  const spec = csr.spec;
  if (spec.signerName !== signer) return undefined;
  let parsed;
  try {
    parsed = parseCsrRequest(spec.request);
  } catch {
    return undefined;
  }
  const cn = parsed.commonName ?? '';
  if (!cn.startsWith('system:node:') || cn === 'system:node:') return undefined;
  if (parsed.organizations.length !== 1 || parsed.organizations[0] !== nodesGroup) return undefined;
  const usages = spec.usages ?? [];
  if (!usages.includes(usage) || usages.some((u) => !allowed.has(u))) return undefined;
  return { cn, sans: parsed.dnsNames.length + parsed.ipAddresses.length };
}

/**
 * Why `csr` is a node client certificate request the approver may approve, or `undefined` when it
 * is not one: signer `kubernetes.io/kube-apiserver-client-kubelet`, subject CN `system:node:<name>`
 * and O `system:nodes` only, no SANs, client-auth usages only, asked by a bootstrap token user
 * (a node joining) or by that very node (renewing), as upstream's csrapproving controller.
 */
export function nodeClientApprovalReason(csr: CertificateSigningRequest): string | undefined {
  const request = nodeRequest(csr, kubeletClientSigner, 'client auth', clientUsages);
  if (request === undefined || request.sans > 0) return undefined;
  const groups = csr.spec.groups ?? [];
  if (groups.includes(bootstrappersGroup))
    return 'Auto approving kubelet client certificate after SubjectAccessReview.';
  if (csr.spec.username === request.cn && groups.includes(nodesGroup))
    return 'Auto approving self kubelet client certificate after SubjectAccessReview.';
  return undefined;
}

/**
 * Why `csr` is a kubelet serving certificate request the approver may approve, or `undefined`:
 * signer `kubernetes.io/kubelet-serving`, subject CN `system:node:<name>` and O `system:nodes`,
 * at least one SAN, server-auth usages only, and asked by that very node (its own client
 * certificate), so a node only ever gets a serving certificate in its own name.
 */
export function nodeServingApprovalReason(csr: CertificateSigningRequest): string | undefined {
  const request = nodeRequest(csr, kubeletServingSigner, 'server auth', servingUsages);
  if (request === undefined || request.sans === 0) return undefined;
  if (csr.spec.username !== request.cn || !(csr.spec.groups ?? []).includes(nodesGroup)) return undefined;
  return 'Auto approving kubelet serving certificate requested by the node itself.';
}

/**
 * The node certificate auto-approver (upstream's `csrapproving` controller): approves
 * requests {@link nodeClientApprovalReason} or {@link nodeServingApprovalReason} accepts, adding an
 * `Approved` condition through the `approval` subresource. Others wait for an administrator; it never denies.
 */
@controller({ name: 'csrapproving', for: CertificateSigningRequests })
@injectable()
export class CsrApprover implements Reconciler {
  private readonly csrs: Informer<CertificateSigningRequest>;

  constructor(
    @inject(ApiClient) private readonly api: ApiClient,
    @inject(SharedInformerFactory) informers: SharedInformerFactory,
    @inject(Logger) private readonly logger: Logger,
  ) {
    this.csrs = informers.informerFor(CertificateSigningRequests);
  }

  async reconcile({ name }: ReconcileRequest): Promise<void> {
    const csr = this.csrs.cache.get(name);
    if (csr === undefined || hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied')) return;
    const reason = nodeClientApprovalReason(csr) ?? nodeServingApprovalReason(csr);
    if (reason === undefined) return;
    const now = metaTime();
    try {
      await this.api.updateSubresource(CertificateSigningRequests, name, 'approval', {
        ...csr,
        status: {
          ...csr.status,
          conditions: [
            ...(csr.status?.conditions ?? []),
            {
              type: 'Approved',
              status: 'True',
              reason: 'AutoApproved',
              message: reason,
              lastUpdateTime: now,
            },
          ],
        },
      });
      this.logger.info('approved node certificate request', { csr: name, requester: csr.spec.username });
    } catch (err) {
      // A newer version arrives through the informer and is reconciled again.
      if (!ApiError.is(err, 'Conflict') && !ApiError.is(err, 'NotFound')) throw err;
    }
  }
}
