import 'reflect-metadata';

/* Dependency injection */
export { token, type Token } from './di/token.js';

/* Errors */
export {
  ApiError,
  errorCodes,
  errors,
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
export type { ReconcileRequest, ReconcileResult, Reconciler } from './controller/Reconciler.js';

/* Runtime contract (CRI-shaped) */
export * from './runtime/Runtime.js';

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
export type * as apiextensionsv1 from 'kubernetes-types/apiextensions/v1.js';
