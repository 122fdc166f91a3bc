export {
  controllersModule,
  controllerClasses,
  type ControllerName,
  type ControllersOptions,
} from './module.js';
export { DaemonSetController } from './daemonset/DaemonSetController.js';
export { DeploymentController } from './deployment/DeploymentController.js';
export { GarbageCollector } from './garbagecollector/GarbageCollector.js';
export { EndpointsController } from './endpoints/EndpointsController.js';
export { EndpointSliceController } from './endpoints/EndpointSliceController.js';
export { NamespaceController } from './namespace/NamespaceController.js';
export { ServiceAccountController } from './serviceaccount/ServiceAccountController.js';
export { NodeLifecycleController } from './nodelifecycle/NodeLifecycleController.js';
export {
  NodeLifecycleOptions,
  notReadyTaint,
  unreachableTaint,
} from './nodelifecycle/NodeLifecycleOptions.js';
export { TaintEvictionController, evictionTime } from './nodelifecycle/TaintEvictionController.js';
export { RootCaPem, RootCaPublisher, rootCaConfigMap } from './rootcacert/RootCaPublisher.js';
export { ReplicaSetController } from './replicaset/ReplicaSetController.js';
export { Enqueue, lazyEnqueue } from './internal/Enqueue.js';
export { Expectations } from './internal/Expectations.js';
export { templateHash } from './internal/templateHash.js';
/* area H: metrics — the HorizontalPodAutoscaler controller */
export { HorizontalPodAutoscalerController } from './hpa/HorizontalPodAutoscalerController.js';
export { HpaOptions } from './hpa/HpaOptions.js';
export {
  rawResourceReplicas,
  resourceReplicas,
  type CalculationInput,
  type CalculatorSettings,
  type PodMetric,
  type ReplicaCalculation,
} from './hpa/replicaCalculator.js';
export { ScaleNormalizer, type NormalizationInput, type Normalized } from './hpa/ScaleNormalizer.js';
export { PodMetricsResource, parseGoDuration } from './hpa/resourceMetrics.js';
/* area T: bootstrap signer (signed cluster-info for token discovery) */
export { BootstrapSigner } from './bootstrapsigner/BootstrapSigner.js';
export {
  clusterInfoKubeconfigKey,
  clusterInfoName,
  clusterInfoNamespace,
  clusterInfoSignaturePrefix,
  signClusterInfo,
  verifyClusterInfo,
} from './bootstrapsigner/clusterInfoSignature.js';
export { DisruptionController } from './disruption/DisruptionController.js';
export { expectedScale, type ScaleSources } from './disruption/expectedScale.js';
export {
  disruptedPodTimeoutMs,
  needsExpectedScale,
  pdbStatus,
  type PdbInputs,
  type PdbStatusResult,
} from './disruption/pdbStatus.js';
