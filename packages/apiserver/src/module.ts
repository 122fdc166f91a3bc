import { ApiClient, Logger, Store, silentLogger } from '@tugboat/core';
import { ContainerModule } from 'inversify';

import { InProcessApiClient } from './client/InProcessApiClient.js';
import { Registry, type RegistryOptions } from './registry/Registry.js';
import { ResourceRegistry } from './registry/ResourceRegistry.js';

/** Options of {@link apiserverModule}: the registry's options. */
export type ApiserverOptions = RegistryOptions;

/**
 * The apiserver's inversify module: binds the {@link ResourceRegistry}, the {@link Registry} and
 * `ApiClient` to the {@link InProcessApiClient}. Needs `Store` and `Logger` in the container.
 */
export function apiserverModule(options: ApiserverOptions = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(ResourceRegistry)
      .toDynamicValue(() => new ResourceRegistry())
      .inSingletonScope();
    bind(Registry)
      .toDynamicValue(
        (ctx) =>
          new Registry(
            ctx.get(Store),
            ctx.get(ResourceRegistry),
            ctx.get(Logger, { optional: true }) ?? silentLogger,
            options,
          ),
      )
      .inSingletonScope();
    bind(InProcessApiClient)
      .toDynamicValue((ctx) => new InProcessApiClient(ctx.get(Registry)))
      .inSingletonScope();
    bind(ApiClient).toService(InProcessApiClient);
  });
}
