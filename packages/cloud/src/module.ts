import { ApiError, CloudProvider, Reconciler } from '@tugboat/core';
import { ContainerModule } from 'inversify';

import { LocalCloudProvider, type LocalCloudProviderOptions } from './LocalCloudProvider.js';
import { NodeController, NodeControllerOptions } from './node/NodeController.js';
import { ServiceController } from './service/ServiceController.js';

/** The cloud-controller-manager's controllers, by the name {@link cloudModule} selects them with. */
export const cloudControllerClasses = { service: ServiceController, node: NodeController } as const;

/** Options of {@link cloudModule}. */
export interface CloudOptions {
  /** The provider; default a {@link LocalCloudProvider} built from `local`. */
  readonly provider?: CloudProvider;
  /** Options of the default local provider. */
  readonly local?: LocalCloudProviderOptions;
  /** Which controllers run (default both). */
  readonly controllers?: readonly (keyof typeof cloudControllerClasses)[];
  readonly node?: NodeControllerOptions;
}

/**
 * The cloud-controller-manager's inversify module: binds the `CloudProvider` and the selected
 * controllers to the `Reconciler` token, where a `ControllerManager` (core's
 * `controllerRuntimeModule`) runs them. A local provider is closed when the container is unbound.
 */
export function cloudModule(options: CloudOptions = {}): ContainerModule {
  const names = options.controllers ?? ['service', 'node'];
  for (const name of names) {
    if (!(name in cloudControllerClasses))
      throw new ApiError('BadRequest', `unknown cloud controller "${name}"`);
  }
  return new ContainerModule(({ bind }) => {
    const provider = options.provider ?? new LocalCloudProvider(options.local ?? {});
    bind(CloudProvider)
      .toConstantValue(provider)
      .onDeactivation(async (p) => {
        if (p instanceof LocalCloudProvider) await p.close();
      });
    bind(NodeControllerOptions).toConstantValue(options.node ?? {});
    for (const name of names) bind(Reconciler).to(cloudControllerClasses[name]).inSingletonScope();
  });
}
