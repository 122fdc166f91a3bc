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

/* Patches */
export { applyPatch } from './patch/applyPatch.js';
export { mergePatch } from './patch/mergePatch.js';
export { strategicMergePatch } from './patch/strategicMergePatch.js';

/* CustomResourceDefinitions */
export { CrdManager, type ScalePaths } from './crd/CrdManager.js';
export { SchemaValidator } from './crd/SchemaValidator.js';
export { validateCrd } from './crd/validateCrd.js';

/* Client and composition */
export { InProcessApiClient } from './client/InProcessApiClient.js';
export { apiserverModule, type ApiserverOptions } from './module.js';
export type { Scale } from './internal/Subresources.js';

