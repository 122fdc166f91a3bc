/* Bootstrap tokens and node bootstrap RBAC (area T2). */
export {
  bootstrappersGroup,
  bootstrapTokenNamespace,
  bootstrapTokenSecret,
  bootstrapTokenSecretName,
  bootstrapTokenSecretType,
  bootstrapUserPrefix,
  formatBootstrapToken,
  generateBootstrapToken,
  parseBootstrapToken,
  type BootstrapToken,
  type BootstrapTokenSecretOptions,
} from './bootstrapToken.js';
export {
  BootstrapTokenAuthenticator,
  type BootstrapTokenSecretLookup,
} from './BootstrapTokenAuthenticator.js';
export { BootstrapTokenRequestAuthenticator } from './BootstrapTokenRequestAuthenticator.js';
export {
  ensureNodeBootstrapPolicy,
  nodeBootstrapPolicy,
  nodeBootstrapperRole,
} from './nodeBootstrapPolicy.js';
export {
  ClusterInfoAnonymousAuthenticator,
  clusterInfoAccessPolicy,
  clusterInfoPath,
  clusterInfoRole,
  ensureClusterInfoAccess,
} from './clusterInfoAccess.js';
