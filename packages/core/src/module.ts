import { ContainerModule } from 'inversify';

import { SharedInformerFactory, SharedInformerFactoryOptions } from './informer/SharedInformerFactory.js';
import { ControllerManager, ControllerManagerOptions } from './controller/ControllerManager.js';

/** Options of {@link controllerRuntimeModule}. */
export interface ControllerRuntimeOptions {
  readonly informers?: SharedInformerFactoryOptions;
  readonly manager?: ControllerManagerOptions;
}

/**
 * The inversify module of the controller runtime: one {@link SharedInformerFactory} and one
 * {@link ControllerManager} per container. It needs `ApiClient` and `Logger` bound; controllers
 * are added by binding their instances or classes to the `Reconciler` token. Unbinding (e.g.
 * `container.unbindAll()`) stops the manager gracefully, then the informers.
 */
export function controllerRuntimeModule(options: ControllerRuntimeOptions = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(SharedInformerFactoryOptions).toConstantValue(options.informers ?? {});
    bind(SharedInformerFactory)
      .toSelf()
      .inSingletonScope()
      .onDeactivation((informers) => informers.stop());
    bind(ControllerManagerOptions).toConstantValue(options.manager ?? {});
    bind(ControllerManager)
      .toSelf()
      .inSingletonScope()
      .onDeactivation((manager) => manager.stop());
  });
}
