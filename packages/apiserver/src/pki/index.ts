/* The cluster PKI (area H2). */
export { ClusterPki, adminIdentity, defaultSans, type PkiOptions } from './ClusterPki.js';
export type { CertificateAndKey } from './certificates.js';
export { buildKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
