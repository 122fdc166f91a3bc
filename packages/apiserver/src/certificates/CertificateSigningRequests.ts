import { defineResource } from '@tugboat/core';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';

/** certificates.k8s.io/v1 CertificateSigningRequest (cluster-scoped, `csr`), with `status` and `approval` subresources. */
export const CertificateSigningRequests = defineResource<CertificateSigningRequest>({
  group: 'certificates.k8s.io',
  version: 'v1',
  kind: 'CertificateSigningRequest',
  plural: 'certificatesigningrequests',
  namespaced: false,
  shortNames: ['csr'],
  subresources: ['status', 'approval'],
  selectableFields: ['spec.signerName'],
  printerColumns: [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'SignerName', type: 'string', jsonPath: '.spec.signerName' },
    { name: 'Requestor', type: 'string', jsonPath: '.spec.username' },
    { name: 'Condition', type: 'string', jsonPath: '.status.conditions[*].type' },
  ],
});

/** The signer of node client certificates (CN `system:node:<name>`, O `system:nodes`). */
export const kubeletClientSigner = 'kubernetes.io/kube-apiserver-client-kubelet';
/** The signer of generic API client certificates. */
export const apiserverClientSigner = 'kubernetes.io/kube-apiserver-client';
/** The signer of kubelet serving certificates. */
export const kubeletServingSigner = 'kubernetes.io/kubelet-serving';
