import 'reflect-metadata';

/* Dependency injection */
export { token, type Token } from './di/token.js';

/* Errors */
export {
  ApiError,
  errorCodes,
  errors,
  ignoreNotFound,
  type ErrorCode,
  type ErrorDetails,
  type Status,
  type StatusCause,
} from './errors/ApiError.js';

/* Logging */
export { Logger, createLogger, silentLogger, type LogFields, type LogLevel } from './log/Logger.js';

/* Object model */
export type { KubeObject, ObjectList, UnstructuredObject } from './meta/KubeObject.js';
export {
  apiVersionOf,
  defineResource,
  parseApiVersion,
  type GroupVersionKind,
  type GroupVersionResource,
  type PrinterColumn,
  type ResourceDefinition,
  type Subresource,
} from './meta/ResourceDefinition.js';
export * as resources from './resources/builtins.js';
export { builtinResources } from './resources/builtins.js';

/* Store contract */
export {
  Store,
  type KeyValue,
  type StoreEvent,
  type StoreEventType,
  type StoreListOptions,
  type StoreListResult,
} from './store/Store.js';

/* API client contract */
export type { WatchEvent, WatchEventType } from './api/WatchEvent.js';
export {
  ApiClient,
  type DeleteOptions,
  type ListOptions,
  type NamespaceOption,
  type PatchType,
  type ResourceRef,
  type SubresourceOptions,
  type WatchOptions,
  type WriteOptions,
} from './api/ApiClient.js';

/* Informers */
export type { IndexFunc, Informer, InformerEvent, ObjectCache } from './informer/Informer.js';

/* Controllers */
export { Reconciler, type ReconcileRequest, type ReconcileResult } from './controller/Reconciler.js';

/* Runtime contract (CRI-shaped) */
export * from './runtime/Runtime.js';

/* Runtime contract helpers (area F1: runtime): the typed image-pull error and CRI log lines */
export { imagePullError, imagePullReason, type ImagePullReason } from './runtime/ImagePull.js';
export { formatCriLogLine, parseCriLog, parseCriLogLine, type CriLogLine } from './runtime/CriLog.js';
export { normalizeImageRef } from './runtime/ImageRef.js';

/* Scheduler plugin contract */
export * from './scheduler/SchedulerPlugin.js';

/* Cloud provider contract */
export * from './cloud/CloudProvider.js';

/* Kubernetes object types (from kubernetes-types), by API group */
export type * as metav1 from 'kubernetes-types/meta/v1.js';
export type * as corev1 from 'kubernetes-types/core/v1.js';
export type * as appsv1 from 'kubernetes-types/apps/v1.js';
export type * as autoscalingv2 from 'kubernetes-types/autoscaling/v2.js';
export type * as coordinationv1 from 'kubernetes-types/coordination/v1.js';
export type * as discoveryv1 from 'kubernetes-types/discovery/v1.js';
export type * as eventsv1 from 'kubernetes-types/events/v1.js';
export type * as rbacv1 from 'kubernetes-types/rbac/v1.js';
export type * as schedulingv1 from 'kubernetes-types/scheduling/v1.js';
// scheduler throughput and framework (P1)
export type * as policyv1 from 'kubernetes-types/policy/v1.js';
export type * as apiextensionsv1 from 'kubernetes-types/apiextensions/v1.js';

/* Machinery (area A): selectors, quantities, meta helpers, work queue, informers, controllers,
   leader election, events */
export {
  everything,
  nothing,
  parseLabelSelector,
  requirementMatches,
  selectorFromLabelSelector,
  selectorFromSet,
  type LabelOperator,
  type LabelSelector,
  type Requirement,
  type Selector,
} from './selectors/LabelSelector.js';
export {
  escapeFieldValue,
  fieldValue,
  parseFieldSelector,
  type FieldRequirement,
  type FieldSelector,
} from './selectors/FieldSelector.js';
export {
  maxLabelValueLength,
  validateLabelValue,
  validateQualifiedName,
} from './selectors/labelValidation.js';
export { Quantity, type QuantityFormat } from './quantity/Quantity.js';
export { jsonEqual } from './meta/jsonEqual.js';
export { metaTime, microTime } from './meta/metaTime.js';
export { objectKey, splitKey } from './meta/objectKey.js';
export { controllerOf, ownerReferenceTo } from './meta/ownerReferences.js';
export { addFinalizer, hasFinalizer, isBeingDeleted, removeFinalizer } from './meta/finalizers.js';
export { getCondition, setCondition, type ConditionLike } from './meta/conditions.js';
export { realClock, type Clock, type TimerHandle } from './workqueue/Clock.js';
export { WorkQueue, type WorkQueueOptions } from './workqueue/WorkQueue.js';
export { IndexedCache, builtinIndexes } from './informer/IndexedCache.js';
export {
  ListWatchInformer,
  type InformerScope,
  type ListWatchOptions,
} from './informer/ListWatchInformer.js';
export { SharedInformerFactory, SharedInformerFactoryOptions } from './informer/SharedInformerFactory.js';
export {
  controller,
  controllerMetadata,
  type ControllerOptions,
  type WatchSpec,
} from './controller/controller.js';
export { ControllerManager, ControllerManagerOptions } from './controller/ControllerManager.js';
export { controllerRuntimeModule, type ControllerRuntimeOptions } from './module.js';
export { LeaderElector, type LeaderElectorOptions } from './leaderelection/LeaderElector.js';
export { EventRecorder, type EventRecorderOptions, type EventType } from './events/EventRecorder.js';
// Pod DNS (services reachable from pods, issue 10)
export { formatResolvConf, parseResolvConf } from './runtime/ResolvConf.js';
