import 'reflect-metadata';

import type { ResourceRef } from '../api/ApiClient.js';
import type { InformerScope } from '../informer/ListWatchInformer.js';
import type { KubeObject } from '../meta/KubeObject.js';
import type { ReconcileRequest } from './Reconciler.js';

/** A secondary resource a controller reacts to, and how its objects map to reconcile requests. */
export interface WatchSpec<T extends KubeObject = KubeObject> {
  readonly resource: ResourceRef<T>;
  map(object: T): readonly ReconcileRequest[];
  /** Restricts the watch, e.g. to one namespace or label selector. */
  readonly scope?: InformerScope;
}

/** What a controller declares with {@link controller}. */
export interface ControllerOptions {
  /** Unique name, used in logs and for the controller's work queue. */
  readonly name: string;
  /** The resource reconciled: each change to one of its objects requests a reconcile of it. */
  readonly for: ResourceRef;
  /** Resources the controller creates: a change requests a reconcile of the controlling owner. */
  readonly owns?: readonly ResourceRef[];
  /** Other resources whose changes map to reconcile requests. */
  readonly watches?: readonly WatchSpec[];
  /** Concurrent reconciles (default 1); one object is never reconciled concurrently. */
  readonly workers?: number;
}

const metadataKey = Symbol.for('@tugboat/core/controller');

/**
 * Class decorator declaring a {@link Reconciler} class as a controller: what it reconciles, owns
 * and watches. The metadata is stored with `Reflect.defineMetadata` and read by the
 * `ControllerManager` through {@link controllerMetadata}.
 */
export function controller(options: ControllerOptions): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(metadataKey, Object.freeze({ ...options }), target);
  };
}

/** The options a class was decorated with by {@link controller}, if any. */
export function controllerMetadata(ctor: object): ControllerOptions | undefined {
  return Reflect.getMetadata(metadataKey, ctor) as ControllerOptions | undefined;
}
