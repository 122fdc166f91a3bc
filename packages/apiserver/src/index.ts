/* Registry */
export { Registry, type RegistryOptions } from './registry/Registry.js';
export { ResourceRegistry, type ResourceRegistryChange } from './registry/ResourceRegistry.js';
export { resourceKey } from './registry/resourceKey.js';
export { systemAdmin, type RequestContext, type UserInfo } from './registry/RequestContext.js';
export type { Strategy, StrategyContext } from './registry/Strategy.js';
export { builtinStrategies } from './strategies/index.js';

/* Admission */
export {
  runAdmission,
  type AdmissionAttributes,
  type AdmissionOperation,
  type AdmissionPlugin,
} from './admission/AdmissionPlugin.js';
export { NamespaceLifecycle, systemNamespaces } from './admission/NamespaceLifecycle.js';
export { Priority, type PriorityClassLookup } from './admission/Priority.js';
export {
  DefaultTolerationSeconds,
  notReadyTaintKey,
  unreachableTaintKey,
} from './admission/DefaultTolerationSeconds.js';
export {
  ServiceAccountAdmission,
  serviceAccountMountPath,
  type ServiceAccountLookup,
} from './admission/ServiceAccountAdmission.js';

/* Patches */
export { applyPatch } from './patch/applyPatch.js';
export { mergePatch } from './patch/mergePatch.js';
export { strategicMergePatch } from './patch/strategicMergePatch.js';

// Server-side apply (issue 4).
export { FieldSet, formatPath, type FieldsV1, type PathElement } from './apply/FieldSet.js';
export { fieldsOf } from './apply/fieldsOf.js';
export { applyFieldOf, applyRootOf, type ApplyField } from './apply/applySchema.js';
export { compareObjects, type FieldChanges } from './apply/compareObjects.js';
export { mergeApplied } from './apply/mergeApplied.js';
export { applyConfiguration, lastAppliedAnnotation, type ApplyOptions } from './apply/applyConfiguration.js';
export {
  decodeManagedFields,
  encodeManagedFields,
  type ManagedFieldsEntry,
  type Ownership,
} from './apply/ManagedFields.js';
export type { ServerSideApplyOptions, ServerSideApplyResult } from './apply/serverSideApply.js';

/* CustomResourceDefinitions */
export { CrdManager, type ScalePaths } from './crd/CrdManager.js';
export { SchemaValidator } from './crd/SchemaValidator.js';
export { validateCrd } from './crd/validateCrd.js';

/* Client and composition */
export { InProcessApiClient } from './client/InProcessApiClient.js';
export { apiserverModule, type ApiserverOptions } from './module.js';
export type { Scale } from './internal/Subresources.js';

/* HTTP front (area H1: server, discovery, OpenAPI, tables, metrics) */
export {
  adminAuthenticator,
  aggregatedDiscoveryType,
  allowAllAuthorizer,
  Discovery,
  generateSchemas,
  gvPathOf,
  humanDuration,
  OpenApi,
  requestInfo,
  ServerMetrics,
  startApiServer,
  toTable,
  unavailableNodeProxy,
  type AuthorizationAttributes,
  type AuthorizationDecision,
  type Authenticator,
  type Authorizer,
  type GeneratedSchemas,
  type IncludeObject,
  type NodeProxy,
  type NodeProxyRequest,
  type NodeProxySubresource,
  type OpenApiDocument,
  type RequestInfo,
  type RunningApiServer,
  type Schema,
  type ServerOptions,
  type ServerTlsOptions,
  type TableOptions,
} from './http/index.js';
export { KubeletNodeProxy, type KubeletNodeProxyOptions } from './http/index.js';

/* Security (area H2: PKI, authentication, RBAC and Node authorization, TokenRequest, self reviews) */
export type { ApiEndpoint, ApiEndpointRequest } from './http/index.js';
export {
  ClusterPki,
  adminIdentity,
  buildKubeconfig,
  defaultSans,
  type CertificateAndKey,
  type KubeconfigOptions,
  type PkiOptions,
} from './pki/index.js';
export {
  allAuthenticated,
  allServiceAccounts,
  allUnauthenticated,
  anonymousUser,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  CertificateAuthenticator,
  ClusterSecurity,
  defaultIssuer,
  ensureBootstrapPolicy,
  ImpersonatingAuthenticator,
  NodeAuthorizer,
  nodeLeaseNamespace,
  nodeNameOf,
  NodeRestriction,
  nodeRules,
  nodesGroup,
  parseServiceAccountUsername,
  RbacAuthorizer,
  RbacInformers,
  ruleAllows,
  SelfSubjectAccessReviewEndpoint,
  SelfSubjectReviewEndpoint,
  SelfSubjectRulesReviewEndpoint,
  ServiceAccountAuthenticator,
  serviceAccountGroups,
  ServiceAccountTokens,
  serviceAccountUsername,
  subjectApplies,
  systemMasters,
  TokenFileAuthenticator,
  TokenRequestEndpoint,
  UnionAuthenticator,
  UnionAuthorizer,
  type BoundObject,
  type ClusterSecurityOptions,
  type NodePods,
  type RbacSource,
  type RulesSource,
  type ServiceAccountClaims,
  type ServiceAccountTokenOptions,
  type TokenAuthenticator,
} from './auth/index.js';

/* Service allocation (area S: cluster IPs and NodePorts, the default/kubernetes Service) */
export {
  AllocationLedger,
  ensureKubernetesService,
  Ipv4Range,
  PortRange,
  ServiceAllocation,
  ServiceAllocator,
  type KubernetesServiceOptions,
  type ServiceAllocatorOptions,
} from './allocators/index.js';

/* area H: metrics (metrics.k8s.io/v1beta1 served from the kubelets' Summary API) */
export {
  goDuration,
  KubeletSummarySource,
  MetricsApi,
  MetricsSource,
  metricsResources,
  serveMetricsApi,
  summaryUsage,
  type ContainerMetrics,
  type ContainerUsage,
  type CpuReading,
  type KubeletSummarySourceOptions,
  type NodeMetrics,
  type NodeUsage,
  type PodMetrics,
  type PodUsage,
  type ResourceUsage,
  type SummaryFigures,
  type SummaryUsage,
} from './metrics/index.js';
export {
  kubeletAddress,
  kubeletTlsOptions,
  type ComputedResource,
  type KubeletAddress,
  type KubeletClientTls,
} from './http/index.js';

/* area T2: bootstrap tokens, node bootstrap RBAC, certificates.k8s.io CertificateSigningRequests */
export {
  BootstrapTokenAuthenticator,
  BootstrapTokenRequestAuthenticator,
  bootstrappersGroup,
  bootstrapTokenNamespace,
  bootstrapTokenSecret,
  bootstrapTokenSecretName,
  bootstrapTokenSecretType,
  bootstrapUserPrefix,
  ensureNodeBootstrapPolicy,
  formatBootstrapToken,
  generateBootstrapToken,
  nodeBootstrapPolicy,
  nodeBootstrapperRole,
  parseBootstrapToken,
  type BootstrapToken,
  type BootstrapTokenSecretLookup,
  type BootstrapTokenSecretOptions,
} from './auth/bootstrap/index.js';
/* area T: anonymous read of kube-public/cluster-info for token discovery */
export {
  ClusterInfoAnonymousAuthenticator,
  clusterInfoAccessPolicy,
  clusterInfoPath,
  clusterInfoRole,
  ensureClusterInfoAccess,
} from './auth/bootstrap/index.js';
export {
  apiserverClientSigner,
  CertificateSigningRequests,
  certificatesModule,
  CsrAdmission,
  type CsrAdmissionOptions,
  CsrApprover,
  CsrSigner,
  CsrSigningCa,
  csrStrategy,
  hasCondition,
  isIssued,
  kubeletClientSigner,
  kubeletServingSigner,
  nodeClientApprovalReason,
  nodeServingApprovalReason,
  parseCsrRequest,
  certificateStrategies,
  signCertificateRequest,
  verifyCsrSignature,
  type CertificatesOptions,
  type IssuedUsage,
  type ParsedCsr,
} from './certificates/index.js';

/* area D: the dashboard at /ui (handlers of non-resource paths beside the API) */
export type { NonResourceHandler, NonResourceRequest } from './http/index.js';
