import { ApiError, ControllerManager, Reconciler } from '@tugboat/core';
import { ContainerModule, type Newable } from 'inversify';

import { Enqueue, lazyEnqueue } from './internal/Enqueue.js';
import { DaemonSetController } from './daemonset/DaemonSetController.js';
import { DeploymentController } from './deployment/DeploymentController.js';
import { GarbageCollector } from './garbagecollector/GarbageCollector.js';
import { EndpointsController } from './endpoints/EndpointsController.js';
import { EndpointSliceController } from './endpoints/EndpointSliceController.js';
import { NamespaceController } from './namespace/NamespaceController.js';
import { ServiceAccountController } from './serviceaccount/ServiceAccountController.js';
import { NodeLifecycleController } from './nodelifecycle/NodeLifecycleController.js';
import { NodeLifecycleOptions } from './nodelifecycle/NodeLifecycleOptions.js';
import { TaintEvictionController } from './nodelifecycle/TaintEvictionController.js';
import { ReplicaSetController } from './replicaset/ReplicaSetController.js';
import { RootCaPem, RootCaPublisher } from './rootcacert/RootCaPublisher.js';
import { HorizontalPodAutoscalerController } from './hpa/HorizontalPodAutoscalerController.js';
import { HpaOptions } from './hpa/HpaOptions.js';
import { BootstrapSigner } from './bootstrapsigner/BootstrapSigner.js';
import { DisruptionController } from './disruption/DisruptionController.js';

/** Every controller this package provides, by the name `controllersModule` selects it with. */
export const controllerClasses = {
  replicaset: ReplicaSetController,
  deployment: DeploymentController,
  garbagecollector: GarbageCollector,
  namespace: NamespaceController,
  serviceaccount: ServiceAccountController,
  endpoints: EndpointsController,
  endpointslice: EndpointSliceController,
  daemonset: DaemonSetController,
  nodelifecycle: NodeLifecycleController,
  tainteviction: TaintEvictionController,
  rootcacertpublisher: RootCaPublisher,
  horizontalpodautoscaler: HorizontalPodAutoscalerController,
  bootstrapsigner: BootstrapSigner,
  disruption: DisruptionController,
} as const satisfies Record<string, Newable<Reconciler>>;

/** The name of one of this package's controllers. */
export type ControllerName = keyof typeof controllerClasses;

/** Options of {@link controllersModule}. */
export interface ControllersOptions {
  /** The controllers to run (default: all of them). */
  readonly controllers?: readonly ControllerName[];
  /** Grace periods of the node lifecycle and taint eviction controllers (upstream's defaults). */
  readonly nodeLifecycle?: NodeLifecycleOptions;
  /**
   * The cluster CA (PEM) to publish as `kube-root-ca.crt` in every namespace. The
   * `rootcacertpublisher` controller runs only when it is given (it is skipped by default otherwise).
   */
  readonly rootCaPem?: string;
  /** Sync period, tolerance and windows of the HorizontalPodAutoscaler controller (upstream's defaults). */
  readonly hpa?: HpaOptions;
  /**
   * Run the `bootstrapsigner` controller with the defaults (off by default, as upstream, where
   * kubeadm turns it on): it signs `kube-public/cluster-info` for token discovery.
   */
  readonly bootstrapSigner?: boolean;
}

/**
 * The controller-manager's inversify module: binds each selected controller to the core
 * `Reconciler` token, where the `ControllerManager` (from `controllerRuntimeModule`) picks it up.
 * An unknown name is rejected when the module is made.
 */
export function controllersModule(options: ControllersOptions = {}): ContainerModule {
  const names =
    options.controllers ??
    (Object.keys(controllerClasses) as ControllerName[]).filter(
      (n) =>
        (n !== 'rootcacertpublisher' || options.rootCaPem !== undefined) &&
        (n !== 'bootstrapsigner' || options.bootstrapSigner === true),
    );
  if (names.includes('rootcacertpublisher') && options.rootCaPem === undefined)
    throw new ApiError('BadRequest', 'the rootcacertpublisher controller needs rootCaPem');
  for (const name of names) {
    if (!(name in controllerClasses)) throw new ApiError('BadRequest', `unknown controller "${name}"`);
  }
  return new ContainerModule(({ bind }) => {
    bind(Enqueue)
      .toDynamicValue((ctx) => lazyEnqueue(() => ctx.get(ControllerManager)))
      .inSingletonScope();
    if (options.rootCaPem !== undefined) bind(RootCaPem).toConstantValue(options.rootCaPem);
    if (options.nodeLifecycle !== undefined)
      bind(NodeLifecycleOptions).toConstantValue(options.nodeLifecycle);
    if (options.hpa !== undefined) bind(HpaOptions).toConstantValue(options.hpa);
    for (const name of names) bind(Reconciler).to(controllerClasses[name]).inSingletonScope();
  });
}
