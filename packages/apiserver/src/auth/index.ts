/* Authentication and authorization of the API server (area H2). */
export { ClusterSecurity, type ClusterSecurityOptions } from './ClusterSecurity.js';
export { CertificateAuthenticator } from './CertificateAuthenticator.js';
export { TokenFileAuthenticator } from './TokenFileAuthenticator.js';
export type { TokenAuthenticator } from './TokenAuthenticator.js';
export {
  ServiceAccountTokens,
  defaultIssuer,
  type BoundObject,
  type ServiceAccountClaims,
  type ServiceAccountTokenOptions,
} from './ServiceAccountTokens.js';
export { ServiceAccountAuthenticator } from './ServiceAccountAuthenticator.js';
export { UnionAuthenticator } from './UnionAuthenticator.js';
export { ImpersonatingAuthenticator } from './ImpersonatingAuthenticator.js';
export { UnionAuthorizer } from './UnionAuthorizer.js';
export { RbacAuthorizer, type RbacSource } from './rbac/RbacAuthorizer.js';
export { RbacInformers } from './rbac/RbacInformers.js';
export { ruleAllows, subjectApplies } from './rbac/ruleAllows.js';
export { bootstrapClusterRoleBindings, bootstrapClusterRoles, nodeRules } from './rbac/bootstrapPolicy.js';
export { ensureBootstrapPolicy } from './rbac/ensureBootstrapPolicy.js';
export { NodeAuthorizer, nodeLeaseNamespace, type NodePods } from './node/NodeAuthorizer.js';
export { NodeRestriction } from './node/NodeRestriction.js';
export { TokenRequestEndpoint } from './endpoints/TokenRequestEndpoint.js';
export { SelfSubjectAccessReviewEndpoint } from './endpoints/SelfSubjectAccessReviewEndpoint.js';
export { SelfSubjectReviewEndpoint } from './endpoints/SelfSubjectReviewEndpoint.js';
export {
  SelfSubjectRulesReviewEndpoint,
  type RulesSource,
} from './endpoints/SelfSubjectRulesReviewEndpoint.js';
export {
  allAuthenticated,
  allServiceAccounts,
  allUnauthenticated,
  anonymousUser,
  nodeNameOf,
  nodesGroup,
  parseServiceAccountUsername,
  serviceAccountGroups,
  serviceAccountUsername,
  systemMasters,
} from './users.js';
