import type { Strategy } from '../registry/Strategy.js';
import { configMapStrategy } from './configmap/configMapStrategy.js';
import { crdStrategy } from './crd/crdStrategy.js';
import { daemonSetStrategy } from './daemonset/daemonSetStrategy.js';
import { deploymentStrategy } from './deployment/deploymentStrategy.js';
import { endpointsStrategy } from './endpoints/endpointsStrategy.js';
import { endpointSliceStrategy } from './endpointslice/endpointSliceStrategy.js';
import { eventStrategy } from './event/eventStrategy.js';
import { eventV1Strategy } from './event/eventV1Strategy.js';
import { hpaStrategy } from './hpa/hpaStrategy.js';
import { leaseStrategy } from './lease/leaseStrategy.js';
import { namespaceStrategy } from './namespace/namespaceStrategy.js';
import { nodeStrategy } from './node/nodeStrategy.js';
import { podStrategy } from './pod/podStrategy.js';
import { podDisruptionBudgetStrategy } from './poddisruptionbudget/podDisruptionBudgetStrategy.js';
import { priorityClassStrategy } from './priorityclass/priorityClassStrategy.js';
import { clusterRoleBindingStrategy, roleBindingStrategy } from './rbac/bindingStrategies.js';
import { clusterRoleStrategy, roleStrategy } from './rbac/roleStrategies.js';
import { replicaSetStrategy } from './replicaset/replicaSetStrategy.js';
import { secretStrategy } from './secret/secretStrategy.js';
import { serviceStrategy } from './service/serviceStrategy.js';
import { serviceAccountStrategy } from './serviceaccount/serviceAccountStrategy.js';

/**
 * The per-kind strategies of the built-in resources, keyed by `resourceKey(def)`: `plural` for
 * the core group, `plural.group` otherwise (`pods`, `deployments.apps`, `events.events.k8s.io`).
 */
export const builtinStrategies: ReadonlyMap<string, Strategy> = new Map<string, Strategy>([
  ['namespaces', namespaceStrategy],
  ['pods', podStrategy],
  ['nodes', nodeStrategy],
  ['services', serviceStrategy],
  ['endpoints', endpointsStrategy],
  ['endpointslices.discovery.k8s.io', endpointSliceStrategy],
  ['serviceaccounts', serviceAccountStrategy],
  ['secrets', secretStrategy],
  ['configmaps', configMapStrategy],
  ['events', eventStrategy],
  ['events.events.k8s.io', eventV1Strategy],
  ['leases.coordination.k8s.io', leaseStrategy],
  ['deployments.apps', deploymentStrategy],
  ['replicasets.apps', replicaSetStrategy],
  ['daemonsets.apps', daemonSetStrategy],
  ['horizontalpodautoscalers.autoscaling', hpaStrategy],
  ['roles.rbac.authorization.k8s.io', roleStrategy],
  ['clusterroles.rbac.authorization.k8s.io', clusterRoleStrategy],
  ['rolebindings.rbac.authorization.k8s.io', roleBindingStrategy],
  ['clusterrolebindings.rbac.authorization.k8s.io', clusterRoleBindingStrategy],
  ['priorityclasses.scheduling.k8s.io', priorityClassStrategy],
  ['poddisruptionbudgets.policy', podDisruptionBudgetStrategy],
  ['customresourcedefinitions.apiextensions.k8s.io', crdStrategy],
]);

export {
  configMapStrategy,
  crdStrategy,
  daemonSetStrategy,
  deploymentStrategy,
  endpointsStrategy,
  endpointSliceStrategy,
  eventStrategy,
  eventV1Strategy,
  hpaStrategy,
  leaseStrategy,
  namespaceStrategy,
  nodeStrategy,
  podStrategy,
  priorityClassStrategy,
  roleStrategy,
  clusterRoleStrategy,
  roleBindingStrategy,
  clusterRoleBindingStrategy,
  replicaSetStrategy,
  secretStrategy,
  serviceStrategy,
  serviceAccountStrategy,
};
export { statusSubresource } from './statusSubresource.js';
export { defaultPodSpec } from './pod/defaultPodSpec.js';
export { validatePodSpec } from './pod/validatePodSpec.js';
export { podQosClass } from './pod/podQosClass.js';
export { FieldPath } from './validation/FieldPath.js';
export { fieldError, formatValue, StringMapValue, type FieldErrorReason } from './validation/fieldError.js';
export { formats, type FormatName } from './validation/formats.js';
export { checks } from './validation/checks.js';
export { validateMeta, validateLabels, validateAnnotations } from './validation/validateMeta.js';
export { validateLabelSelector, selectorMatches } from './validation/labelSelector.js';
export { validateQuantity } from './validation/validateQuantity.js';
export { semanticEqual } from './validation/semanticEqual.js';
